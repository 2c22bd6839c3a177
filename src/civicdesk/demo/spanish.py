"""Riverbend's catalogue in Spanish, written for the city's Spanish-speaking residents (usted, US Latin American
usage): agency names and descriptions, and every service's name, description, topic, questions and answers.

Keyed like civicdesk.demo.data: agencies by slug, services by code, questions by code, answers by key. The seed puts
them in each object's `translations` under "es"; test_demo_spanish checks nothing is missing.
"""

GROUPS = {
    "Streets and sidewalks": "Calles y aceras",
    "Trash and recycling": "Basura y reciclaje",
    "Parks and trees": "Parques y árboles",
    "Housing and buildings": "Vivienda y edificios",
    "Public safety": "Seguridad pública",
    "Water": "Agua",
    "General": "General",
}

YES_NO = {"yes": "Sí", "no": "No"}

# slug: (name, description)
AGENCIES = {
    "311": ("Centro de Atención 311",
            "La puerta de entrada para todas sus preguntas y solicitudes a la Ciudad de Riverbend."),
    "public-works": ("Obras Públicas", "Calles, aceras, nieve, tuberías principales de agua y alcantarillado."),
    "transportation": ("Transporte", "Semáforos, alumbrado público, señales de tránsito y estacionamiento."),
    "parks": ("Parques y Recreación",
              "Parques, áreas de juegos infantiles, centros recreativos y árboles de la vía pública."),
    "sanitation": ("Saneamiento",
                   "Basura, reciclaje, objetos voluminosos, vertido ilegal de basura y eliminación de grafiti."),
    "housing": ("Vivienda", "Inspecciones del código de vivienda, control de roedores y servicios para inquilinos."),
    "police": ("Policía (casos que no son emergencias)",
               "Asuntos policiales que no son emergencias. En caso de emergencia, llame al 911."),
}

# code: {"name", "description", "attributes": {code: (question, {answer key: label})}}
SERVICES: dict[str, dict] = {
    "pothole": {
        "name": "Bache", "description": "Un hoyo en la superficie de la calle.",
        "attributes": {
            "size": ("¿Qué tamaño tiene el bache?", {"smaller_than_a_plate": "Más pequeño que un plato",
                                                     "like_a_car_tire": "Como una llanta de auto",
                                                     "wider_than_a_car": "Más ancho que un auto"}),
            "depth": ("¿Qué profundidad tiene, más o menos, en pulgadas?", {}),
        }},
    "broken-sidewalk": {
        "name": "Acera rota", "description": "Losas de la acera agrietadas, levantadas o faltantes.",
        "attributes": {"hazard": ("¿Alguien podría tropezarse?", YES_NO)}},
    "streetlight-out": {
        "name": "Luz de la calle apagada",
        "description": "Una luz de la calle que está apagada, parpadea o queda encendida durante el día.",
        "attributes": {
            "pole_number": ("Número del poste (está en una placa de metal en el poste)", {}),
            "problem": ("¿Cuál es el problema?", {"dark": "Está apagada", "flickering": "Parpadea",
                                                  "on_during_the_day": "Está encendida de día"}),
        }},
    "traffic-signal": {
        "name": "Semáforo que no funciona",
        "description": "Un semáforo que está apagado, trabado o desincronizado.",
        "attributes": {"direction": ("¿Qué sentidos de circulación están afectados?", {
            "northbound": "Hacia el norte", "southbound": "Hacia el sur", "eastbound": "Hacia el este",
            "westbound": "Hacia el oeste"})}},
    "snow-removal": {
        "name": "Remoción de nieve", "description": "Calles sin despejar o sin sal después de una tormenta.",
        "attributes": {"surface": ("¿Dónde está la nieve?", {"street": "En la calle", "sidewalk": "En la acera",
                                                             "bus_stop": "En una parada de autobús"})}},
    "graffiti": {
        "name": "Grafiti", "description": "Grafiti en una propiedad pública o privada.",
        "attributes": {
            "surface": ("¿Sobre qué está pintado?", {"wall": "Una pared", "fence": "Una cerca",
                                                     "sign": "Un letrero", "bridge": "Un puente", "other": "Otro"}),
            "offensive": ("¿Es ofensivo?", YES_NO),
        }},
    "missed-trash-pickup": {
        "name": "No recogieron la basura",
        "description": "La basura o el reciclaje no se recogió el día programado.",
        "attributes": {
            "bin_type": ("¿Qué botes no se recogieron?", {"trash": "Basura", "recycling": "Reciclaje",
                                                          "yard_waste": "Desechos de jardín"}),
            "pickup_date": ("¿Cuándo estaba programada la recolección?", {}),
        }},
    "bulky-item-pickup": {
        "name": "Recolección de objetos voluminosos",
        "description": "Programe la recolección de muebles, colchones o electrodomésticos.",
        "attributes": {"items": ("¿Qué objetos son y cuántos?", {})}},
    "illegal-dumping": {
        "name": "Vertido ilegal de basura",
        "description": "Basura, llantas o escombros de construcción tirados en un terreno público.",
        "attributes": {"material": ("¿Qué tiraron?", {"household_trash": "Basura doméstica", "tires": "Llantas",
                                                      "construction_debris": "Escombros de construcción",
                                                      "furniture": "Muebles"})}},
    "dead-animal": {
        "name": "Animal muerto", "description": "Un animal muerto en una calle o una acera.",
        "attributes": {"animal": ("¿Qué tipo de animal es?", {})}},
    "tree-down": {
        "name": "Árbol caído", "description": "Un árbol o una rama grande que se cayó.",
        "attributes": {
            "power_lines": ("Si el árbol toca cables eléctricos, llame al 911 y manténgase alejado.", {}),
            "blocking": ("¿Bloquea la calle o la acera?", YES_NO),
        }},
    "park-maintenance": {
        "name": "Mantenimiento de parques",
        "description": "Césped, bancas, fuentes, luces y senderos de los parques de la ciudad.",
        "attributes": {"park_name": ("¿En qué parque?", {})}},
    "playground-damage": {
        "name": "Daños en un área de juegos infantiles",
        "description": "Juegos infantiles rotos o peligrosos.",
        "attributes": {"equipment": ("¿Qué está dañado?", {"swing": "Un columpio", "slide": "Un tobogán",
                                                           "climbing_frame": "Una estructura para trepar",
                                                           "surface": "El piso", "fence": "La cerca"})}},
    "housing-code-violation": {
        "name": "Infracción del código de vivienda",
        "description": "Condiciones inseguras o insalubres en una vivienda de alquiler.",
        "attributes": {
            "unit": ("Número de apartamento o unidad", {}),
            "problem": ("Describa las condiciones", {}),
        }},
    "rodent-sighting": {
        "name": "Ratas o ratones", "description": "Ratas o ratones al aire libre o dentro de un edificio.",
        "attributes": {"location_type": ("¿Dónde los vio?", {"alley": "En un callejón", "yard": "En un patio",
                                                             "inside_a_building": "Dentro de un edificio",
                                                             "street": "En la calle"})}},
    "noise-complaint": {
        "name": "Queja por ruido",
        "description": "Música a todo volumen, fiestas u obras de construcción de noche, de forma repetida.",
        "attributes": {
            "source": ("¿Qué tipo de ruido es?", {"music": "Música", "party": "Una fiesta",
                                                  "construction": "Obras de construcción", "vehicle": "Un vehículo",
                                                  "other": "Otro"}),
            "started_at": ("¿Cuándo empezó?", {}),
        }},
    "abandoned-vehicle": {
        "name": "Vehículo abandonado",
        "description": "Un vehículo que lleva más de 72 horas estacionado en una calle pública.",
        "attributes": {
            "plate": ("Número de placa", {}),
            "color": ("Color del vehículo", {}),
            "days": ("¿Cuántos días lleva ahí?", {}),
        }},
    "water-leak": {
        "name": "Fuga de agua",
        "description": "Agua que sale de una tubería principal, un hidrante o la caja de un medidor.",
        "attributes": {"source": ("¿De dónde sale el agua?", {"street": "De la calle", "hydrant": "De un hidrante",
                                                              "meter_pit": "De la caja de un medidor",
                                                              "unknown": "No lo sé"})}},
    "clogged-storm-drain": {
        "name": "Alcantarilla tapada", "description": "Una alcantarilla tapada por hojas o basura.",
        "attributes": {"flooding": ("¿Se está inundando la calle?", YES_NO)}},
    "general-question": {
        "name": "Pregunta general", "description": "Cualquier otra pregunta para la Ciudad de Riverbend.",
        "attributes": {}},
}


def agency_translations(slug: str) -> dict[str, dict[str, str]]:
    if slug not in AGENCIES:
        return {}
    name, description = AGENCIES[slug]
    return {"es": {"name": name, "description": description}}


def service_translations(code: str, group: str) -> dict[str, dict[str, str]]:
    spec = SERVICES.get(code)
    if spec is None:
        return {}
    texts = {"name": spec["name"], "description": spec["description"]}
    if group in GROUPS:
        texts["group"] = GROUPS[group]
    return {"es": texts}


def attribute_translations(service_code: str, code: str) -> dict[str, dict[str, object]]:
    question = SERVICES.get(service_code, {}).get("attributes", {}).get(code)
    if question is None:
        return {}
    description, values = question
    return {"es": {"description": description, **({"values": dict(values)} if values else {})}}
