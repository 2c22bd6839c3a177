"""The analyzer: words, stop words, stemming in English and Spanish, accents and apostrophes."""

from civicdesk.search.analysis import Analyzer, base_language, fold, stem, stop_words, words


def test_words_are_lower_cased_split_on_punctuation_and_keep_apostrophes():
    assert words("Big HOLE in-road, near 3rd St.!") == ["big", "hole", "in", "road", "near", "3rd", "st"]
    assert words("my trash wasn’t picked up") == ["my", "trash", "wasn't", "picked", "up"]


def test_accents_are_folded_but_letters_from_other_scripts_stay():
    assert fold("Camión SEMÁFORO árbol caído ñandú") == "camion semaforo arbol caido nandu"
    assert words("Москва 東京") == ["москва", "東京"]


def test_english_stop_words_and_contractions_are_dropped_with_or_without_the_apostrophe():
    english = Analyzer("en")
    assert english.stems("my trash wasn't picked up") == ["trash", "pick"]
    assert english.stems("my trash wasnt picked up") == ["trash", "pick"]
    assert english.stems("the of and to please") == []


def test_words_that_say_what_is_wrong_are_not_stop_words():
    assert Analyzer("en").stems("street light out") == ["street", "light", "out"]
    assert Analyzer("en").stems("tree down") == ["tree", "down"]


def test_english_stemming_joins_forms_of_a_word():
    english = Analyzer("en")
    assert english.stems("potholes") == english.stems("pothole")
    assert english.stems("collected collection collecting") == ["collect"] * 3
    assert english.stems("neighbor's dogs") == english.stems("neighbor dog")


def test_spanish_stemming_and_stop_words():
    spanish = Analyzer("es")
    assert spanish.stems("basura no recogida") == spanish.stems("basuras recogidas")
    assert spanish.stems("baches en la calle") == ["bach", "call"]
    assert spanish.stems("camión") == spanish.stems("camion")


def test_an_analyzer_can_take_the_stop_words_of_several_languages():
    both = Analyzer("es", stop_words("en", "es"))
    assert both.stems("hole in the road") == both.stems("hole road")
    assert both.stems("hoyo en la calle") == both.stems("hoyo calle")


def test_positions_count_the_stop_words_so_phrases_stay_apart():
    terms = Analyzer("en").terms("hole in road")
    assert [(t.stem, t.position) for t in terms] == [("hole", 0), ("road", 2)]


def test_languages_without_a_stemmer_are_split_into_words_only():
    assert Analyzer("xx").stems("Potholes everywhere") == ["potholes", "everywhere"]
    assert base_language("es-MX") == "es" and base_language("pt_BR") == "pt"


def test_numbers_are_kept_as_they_are_and_huge_words_are_cut():
    assert stem("en", "311") == "311"
    assert len(words("a" * 5000)[0]) == 40
