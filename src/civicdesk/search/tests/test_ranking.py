"""Ranking: where a word matched, how many of the query's words matched, phrases, languages, typos and kinds."""

from civicdesk.search.cache import forget_indexes, index_for
from civicdesk.search.documents import ANY_LANGUAGE, Document, Field, Kind, Text
from civicdesk.search.index import SearchIndex
from civicdesk.search.ranking import corrected, search


def doc(key: str, name: str, *, description: str = "", terms: str = "", keywords: str = "", topic: str = "",
        kind: Kind = Kind.SERVICE, extra: tuple[Text, ...] = ()) -> Document:
    texts = [Text("en", Field.NAME, name), Text("en", Field.DESCRIPTION, description),
             Text("en", Field.KEYWORDS, keywords), Text("en", Field.TOPIC, topic),
             Text(ANY_LANGUAGE, Field.TERMS, terms), *extra]
    return Document(kind, key, [t for t in texts if t.text], payload=key)


def keys(index: SearchIndex, query: str, **kwargs) -> list[str]:
    return [hit.document.key for hit in search(index, query, **kwargs).hits]


def test_a_match_in_the_name_ranks_above_one_in_the_description():
    index = SearchIndex([doc("sidewalk", "Broken sidewalk", description="A cracked tree pit or a lifted slab."),
                         doc("tree", "Tree down", description="A fallen tree or branch.")])
    assert keys(index, "tree") == ["tree", "sidewalk"]


def test_documents_matching_every_word_rank_above_those_matching_some():
    index = SearchIndex([doc("signal", "Traffic light"),
                         doc("light", "Street lamp", description="A light that is out.")])
    results = search(index, "light out")
    assert [h.document.key for h in results.hits] == ["light", "signal"]
    assert results.hits[0].score < results.hits[1].score  # "light" in a name, but "out" nowhere


def test_a_query_holding_a_whole_search_phrase_earns_a_bonus():
    index = SearchIndex([doc("missed", "Missed collection", terms="trash wasn't picked up"),
                         doc("dumping", "Illegal dumping", terms="trash pile\nsomeone picked the lock")])
    results = search(index, "my trash wasn't picked up")
    assert [h.document.key for h in results.hits] == ["missed", "dumping"]
    assert results.hits[0].score > results.hits[1].score + 2


def test_stemmed_forms_and_compounds_match():
    index = SearchIndex([doc("pothole", "Pothole"), doc("light", "Street light out")])
    assert keys(index, "potholes") == ["pothole"]
    assert keys(index, "pot hole") == ["pothole"]
    assert keys(index, "streetlights") == ["light"]


def test_typos_are_forgiven_and_the_corrected_query_is_suggested():
    index = SearchIndex([doc("light", "Street light out"), doc("graffiti", "Graffiti", terms="grafiti")])
    results = search(index, "Stret light")
    assert [h.document.key for h in results.hits] == ["light"] and results.suggestion == "street light"
    graffiti = search(index, "grafitti on the bridge")
    # the name's spelling is offered, though the Spanish term is one edit closer
    assert graffiti.suggestion == "graffiti on the bridge"
    assert search(index, "street light").suggestion == ""
    rats = SearchIndex([doc("rodents", "Rodent sighting", terms="rat in alley\nrats")])
    assert search(rats, "ratz in my kitchen").suggestion == "rats in my kitchen"  # a letter mistyped, not added


def test_the_start_of_a_word_finds_the_word():
    index = SearchIndex([doc("pothole", "Pothole"), doc("graffiti", "Graffiti")])
    assert keys(index, "poth") == ["pothole"]
    assert search(index, "poth").suggestion == ""


def test_words_matching_nothing_find_nothing():
    index = SearchIndex([doc("pothole", "Pothole", description="A hole in the road.")])
    assert keys(index, "zzz qqq") == [] and keys(index, "") == [] and keys(index, "the and of") == []


def test_a_query_is_read_in_each_language_and_text_in_any_language_is_found_in_both():
    spanish_name = (Text("es", Field.NAME, "Basura no recogida"),)
    index = SearchIndex([doc("missed", "Missed collection", extra=spanish_name),
                         doc("pothole", "Pothole", terms="bache\nhoyo en la calle")], languages=("en", "es"))
    assert keys(index, "basuras sin recoger") == ["missed"]
    assert keys(index, "baches") == ["pothole"]
    assert keys(index, "hoyos en las calles") == ["pothole"]
    assert index.languages == ("en", "es")


def test_a_search_can_be_limited_to_kinds_of_documents():
    article = doc("article-1", "How pothole repairs are scheduled", kind=Kind.ARTICLE)
    index = SearchIndex([doc("pothole", "Pothole"), article])
    assert keys(index, "pothole") == ["pothole", "article-1"]
    assert keys(index, "pothole", kinds={Kind.ARTICLE}) == ["article-1"]
    assert keys(index, "pothole", limit=1) == ["pothole"]


def test_ties_keep_the_order_the_documents_were_given_in():
    index = SearchIndex([doc("b", "Noise"), doc("a", "Noise")])
    assert keys(index, "noise") == ["b", "a"]


def test_the_cached_index_is_reused_while_the_text_is_the_same_and_rebuilt_when_it_changes():
    forget_indexes()
    first = index_for("test", [doc("pothole", "Pothole")], ("en",))
    fresh = [doc("pothole", "Pothole")]
    fresh[0].payload = "fresh"
    again = index_for("test", fresh, ("en",))
    assert again.by_language is first.by_language  # not rebuilt
    assert search(again, "pothole").hits[0].document.payload == "fresh"  # but bound to the fresh documents
    changed = index_for("test", [doc("pothole", "Pothole", terms="bache")], ("en",))
    assert changed.by_language is not first.by_language and keys(changed, "bache") == ["pothole"]
    forget_indexes()


def test_corrected_replaces_only_the_misspelt_words_and_keeps_the_rest_as_typed():
    assert corrected("Big HOLE in the raod!", {"raod": "road"}) == "Big HOLE in the road!"
    assert corrected("anything", {}) == ""
