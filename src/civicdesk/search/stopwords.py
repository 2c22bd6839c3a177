"""Words too common to search by, per language, written without accents (the analyzer folds them away).

Words that say what is wrong stay searchable even where common lists drop them: "out" (a light out), "down" (a
tree down), "off" and "over". Contractions are listed with and without the apostrophe, since residents
type both ("wasn't", "wasnt").
"""


def _listed(text: str) -> frozenset[str]:
    return frozenset(text.split())


ENGLISH = _listed("""
a about above after again against all am an and any are aren't arent as at be because been before being below
between both but by can can't cannot cant could couldn't couldnt did didn't didnt do does doesn't doesnt doing
don't dont during each few for from further had hadn't hadnt has hasn't hasnt have haven't havent having he he'd
he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've id im ive if in into is
isn't isnt it it's its itself just let's me more most mustn't my myself no nor not now of on once only or other
ought our ours ourselves own same shan't she she'd she'll she's should shouldn't shouldnt so some such than that
that's the their theirs them themselves then there there's these they they'd they'll they're they've this those
through to too until up very was wasn't wasnt we we'd we'll we're we've were weren't werent what what's when
when's where where's which while who who's whom why why's will with won't would wouldn't wouldnt you you'd
you'll you're you've your yours yourself yourselves
please hi hello thanks thank hey
""")

SPANISH = _listed("""
a al algo algunas algunos ante antes como con contra cual cuales cuando de del desde donde durante e el ella
ellas ellos en entre era eramos eran eres es esa esas ese eso esos esta estaba estaban estamos estan estar estas
este esto estos estoy fue fueron fui ha habia han has hasta hay he hemos la las le les lo los me mi mis mio mia
mios mias muy mucho muchos nada ni no nos nosotras nosotros nuestra nuestras nuestro nuestros o os otra otras
otro otros para pero poco por porque que quien quienes se sea ser si sido sin sobre somos son soy su sus suya
suyas suyo suyos tambien tanto te ti tiene tienen tu tus tuya tuyas tuyo tuyos un una unas uno unos vosotras
vosotros vuestra vuestras vuestro vuestros y ya yo
favor hola gracias
""")

BY_LANGUAGE: dict[str, frozenset[str]] = {"en": ENGLISH, "es": SPANISH}
