"""What Riverbend's residents type when they mean each demo service, in English and Spanish (Service.search_terms).

Phrases as people say them, not as the city names things: the search stems them, forgives typos and rewards a
query that holds a whole phrase, so "my trash wasn't picked up" finds the missed pickup through its phrase.
"""

SEARCH_TERMS: dict[str, list[str]] = {
    "pothole": [
        "hole in road", "big hole in the street", "hole in the pavement", "sinkhole", "crater", "road surface broken",
        "cracked road", "bump in road", "damaged my tire", "pot hole",
        "bache", "hoyo en la calle", "hueco en la calle", "calle rota", "pavimento dañado",
    ],
    "broken-sidewalk": [
        "cracked sidewalk", "uneven sidewalk", "sidewalk lifted by tree roots", "tripped on sidewalk",
        "broken curb", "missing curb ramp", "footpath", "walkway",
        "acera rota", "banqueta rota", "bordillo roto", "me tropecé en la acera",
    ],
    "streetlight-out": [
        "streetlight out", "street lamp broken", "light pole", "lamp post", "light not working", "broken light",
        "street is dark at night", "light flickering", "light on during the day",
        "farola apagada", "luz de la calle apagada", "poste de luz", "lámpara fundida", "alumbrado público",
    ],
    "traffic-signal": [
        "traffic light broken", "stoplight out", "stop light", "red light stuck", "signal not changing",
        "walk signal broken", "pedestrian signal", "crosswalk button",
        "semáforo", "semáforo apagado", "semáforo descompuesto", "señal peatonal",
    ],
    "snow-removal": [
        "street not plowed", "snow plow", "icy road", "icy sidewalk", "black ice", "snow not cleared",
        "needs salt", "slippery street",
        "nieve", "calle con hielo", "quitanieves", "nieve sin limpiar", "hielo en la acera",
    ],
    "graffiti": [
        "graffiti on wall", "spray paint", "tagging", "vandalism", "painted on building", "graffiti on sign",
        "offensive graffiti",
        "grafiti", "pintadas", "pintura en la pared", "vandalismo",
    ],
    "missed-trash-pickup": [
        "trash wasn't picked up", "garbage not collected", "garbage truck skipped", "missed collection",
        "missed garbage", "recycling not picked up", "bins not emptied", "rubbish not collected",
        "waste collection", "yard waste not collected",
        "basura no recogida", "no recogieron la basura", "no pasó el camión de la basura", "reciclaje no recogido",
        "recolección de basura",
    ],
    "bulky-item-pickup": [
        "couch pickup", "old sofa", "mattress disposal", "fridge pickup", "refrigerator", "washing machine",
        "large item pickup", "furniture removal", "get rid of furniture",
        "recoger muebles", "colchón viejo", "sofá viejo", "electrodomésticos", "artículos voluminosos",
    ],
    "illegal-dumping": [
        "someone dumped trash", "trash pile in alley", "fly tipping", "dumped tires", "dumped mattress",
        "construction debris dumped", "trash on empty lot",
        "basura tirada", "vertedero ilegal", "escombros tirados", "llantas tiradas",
    ],
    "dead-animal": [
        "dead raccoon", "dead deer", "dead cat", "dead dog", "dead bird", "dead squirrel", "roadkill",
        "animal carcass", "animal hit by car",
        "animal muerto", "perro muerto", "gato muerto", "mapache muerto", "venado muerto",
    ],
    "tree-down": [
        "fallen tree", "tree fell", "branch fell", "broken branch", "limb down", "tree blocking street",
        "tree on sidewalk", "storm damage tree", "dangerous tree",
        "árbol caído", "rama caída", "rama rota", "árbol bloqueando la calle",
    ],
    "park-maintenance": [
        "grass not mowed", "tall grass", "broken bench", "park fountain", "park light out", "park path",
        "overflowing trash can in park", "dirty park",
        "parque", "mantenimiento del parque", "césped sin cortar", "banca rota", "fuente del parque",
    ],
    "playground-damage": [
        "broken swing", "broken slide", "unsafe playground", "play equipment", "climbing frame", "jungle gym",
        "playground surface",
        "columpio roto", "tobogán roto", "resbaladilla rota", "área de juegos", "juegos infantiles",
    ],
    "housing-code-violation": [
        "no heat", "no hot water", "mold", "landlord won't fix", "unsafe apartment", "leaking roof",
        "broken window in apartment", "rental conditions", "tenant complaint",
        "sin calefacción", "moho", "el casero no arregla", "apartamento inseguro", "sin agua caliente",
    ],
    "rodent-sighting": [
        "rats", "mice", "rat in alley", "mouse in building", "rodents", "pest control", "vermin",
        "ratas", "ratones", "roedores", "plaga",
    ],
    "noise-complaint": [
        "loud music", "loud party", "noisy neighbors", "construction noise at night", "barking dog",
        "loud car", "too loud",
        "ruido", "música alta", "fiesta ruidosa", "vecinos ruidosos", "ruido de construcción",
    ],
    "abandoned-vehicle": [
        "abandoned car", "car not moved for weeks", "junk car", "car with flat tires", "van parked for a month",
        "derelict vehicle", "no license plate",
        "carro abandonado", "coche abandonado", "vehículo abandonado", "auto abandonado",
    ],
    "water-leak": [
        "water main break", "burst pipe", "broken water main", "leaking hydrant", "fire hydrant leaking",
        "water bubbling up", "water running in street", "meter pit leak",
        "fuga de agua", "tubería rota", "hidrante con fuga", "agua en la calle",
    ],
    "clogged-storm-drain": [
        "blocked drain", "storm drain clogged", "street flooding", "flooded street", "drain full of leaves",
        "catch basin", "gutter blocked", "standing water",
        "alcantarilla tapada", "desagüe tapado", "calle inundada", "coladera tapada",
    ],
    "general-question": [
        "question", "ask a question", "information", "permit", "city hall", "office hours", "something else",
        "other", "not listed",
        "pregunta", "información", "permiso", "ayuda", "otra cosa",
    ],
}
