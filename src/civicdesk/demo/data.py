"""The fictional city of Riverbend: agencies, teams, services, mailboxes, staff and words for demo cases."""

from typing import Any

CITY_CENTER = (40.0, -75.0)
CITY_SPREAD = 0.05  # degrees either side of the center
DEMO_PASSWORD = "demo"
DEMO_CASE_COUNT = 2000
DEMO_DAYS = 90
RANDOM_SEED = 20261123

# slug, name, email, phone, description, teams
AGENCIES: list[tuple[str, str, str, str, str, list[str]]] = [
    ("311", "311 Contact Center", "311@riverbend.example", "311",
     "The front door for every question and request to the City of Riverbend.", ["Call takers", "Digital channels"]),
    ("public-works", "Public Works", "publicworks@riverbend.example", "+1 215 555 0110",
     "Streets, sidewalks, snow, water mains and sewers.", ["Streets crew", "Water and sewer"]),
    ("transportation", "Transportation", "transportation@riverbend.example", "+1 215 555 0120",
     "Traffic signals, street lights, signs and parking.", ["Signals and lights", "Parking enforcement"]),
    ("parks", "Parks and Recreation", "parks@riverbend.example", "+1 215 555 0130",
     "Parks, playgrounds, recreation centers and street trees.", ["Park maintenance", "Urban forestry"]),
    ("sanitation", "Sanitation", "sanitation@riverbend.example", "+1 215 555 0140",
     "Trash, recycling, bulky items, illegal dumping and graffiti removal.", ["Collections", "Street cleaning"]),
    ("housing", "Housing", "housing@riverbend.example", "+1 215 555 0150",
     "Housing code inspections, rodent control and tenant services.", ["Code inspections", "Tenant services"]),
    ("police", "Police (non-emergency)", "", "+1 215 555 0160",
     "Non-emergency police matters. In an emergency call 911.", ["Community policing", "Traffic unit"]),
]

# address, agency slug, display name
MAILBOXES = [
    ("311@riverbend.example", "311", "Riverbend 311"),
    ("publicworks@riverbend.example", "public-works", "Riverbend Public Works"),
    ("parks@riverbend.example", "parks", "Riverbend Parks and Recreation"),
    ("housing@riverbend.example", "housing", "Riverbend Housing"),
]

# The demo city's own accounts on the conversational and social channels: provider, channel, agency slug, address
# (our number, page id, handle or channel id), display name. Their credentials carry DEMO_OUTBOX: nothing is sent,
# polled or streamed; `civicdesk channels simulate NETWORK --account ID --text "..."` plays the network offline.
CHANNEL_ACCOUNTS = [
    ("twilio", "sms", "public-works", "+12155550100", "Public Works text line"),
    ("meta", "facebook", "311", "104000000000311", "Riverbend 311 on Facebook"),
    ("meta", "instagram", "parks", "17841400000000312", "Riverbend Parks on Instagram"),
    ("mastodon", "mastodon", "311", "riverbend311@mastodon.example", "@riverbend311"),
    ("bluesky", "bluesky", "public-works", "riverbend-works.bsky.social", "@riverbend-works.bsky.social"),
    ("youtube", "youtube", "parks", "UCriverbendParks00000001", "Riverbend Parks on YouTube"),
]

# username, first name, last name, role, agency slugs, team names (of those agencies)
STAFF: list[tuple[str, str, str, str, list[str], list[str]]] = [
    ("admin", "Alex", "Admin", "admin", [], []),
    ("supervisor.311", "Dana", "Whitfield", "supervisor", ["311"], ["Call takers", "Digital channels"]),
    ("agent.311", "Sam", "Okafor", "agent", ["311"], ["Call takers"]),
    ("supervisor.publicworks", "Maria", "Delgado", "supervisor", ["public-works"], ["Streets crew", "Water and sewer"]),
    ("agent.publicworks", "Jordan", "Lee", "agent", ["public-works"], ["Streets crew"]),
    ("agent.transportation", "Priya", "Raman", "agent", ["transportation"], ["Signals and lights"]),
    ("agent.parks", "Chris", "Novak", "agent", ["parks"], ["Park maintenance"]),
    ("agent.sanitation", "Terry", "Mbeki", "agent", ["sanitation"], ["Collections"]),
    ("agent.housing", "Lin", "Chen", "agent", ["housing"], ["Code inspections"]),
    ("agent.police", "Pat", "Romano", "agent", ["police"], ["Community policing"]),
]

# Automatic assignment of demo teams: agency slug, team, rule, open cases per agent, return unanswered cases when
# away, and members' own capacities (username -> capacity). The other teams assign manually.
ASSIGNMENT: list[tuple[str, str, str, int, bool, dict[str, int]]] = [
    ("public-works", "Streets crew", "round_robin", 30, True, {"supervisor.publicworks": 5}),
    ("311", "Call takers", "least_open", 20, False, {}),
]


def _values(*names: str) -> list[dict[str, str]]:
    return [{"key": name.lower().replace(" ", "_").replace(",", ""), "name": name} for name in names]


YES_NO = _values("Yes", "No")


def attr(code: str, datatype: str, description: str, *, required: bool = False, values: Any = None,
         variable: bool = True) -> dict[str, Any]:
    return {"code": code, "datatype": datatype, "description": description, "required": required,
            "values": values or [], "variable": variable}


# Each service: code, name, group (topic), agency slug, default team, realtime, keywords, description,
# attributes, and what residents write (subject, description) about it.
SERVICES: list[dict[str, Any]] = [
    {"code": "pothole", "name": "Pothole", "group": "Streets and sidewalks", "agency": "public-works",
     "team": "Streets crew", "keywords": "hole, road damage, street, asphalt",
     "description": "A hole in the road surface.",
     "attributes": [attr("size", "singlevaluelist", "How big is the pothole?", required=True,
                         values=_values("Smaller than a plate", "Like a car tire", "Wider than a car")),
                    attr("depth", "number", "About how deep is it, in inches?")],
     "texts": [("Pothole on my street", "There is a deep pothole in the right lane that cars keep hitting."),
               ("Big hole near the crosswalk", "A pothole opened up after the rain, right next to the crosswalk."),
               ("Road damage", "Several potholes in a row, one of them has already damaged a tire.")]},
    {"code": "broken-sidewalk", "name": "Broken sidewalk", "group": "Streets and sidewalks",
     "agency": "public-works", "team": "Streets crew", "keywords": "curb, trip hazard, pavement",
     "description": "Cracked, lifted or missing sidewalk slabs.",
     "attributes": [attr("hazard", "singlevaluelist", "Is it a trip hazard?", required=True, values=YES_NO)],
     "texts": [("Sidewalk slab lifted", "A tree root lifted the sidewalk slab and people trip on it every day."),
               ("Broken curb", "The curb is crumbling at the corner, wheelchairs cannot get up.")]},
    {"code": "streetlight-out", "name": "Street light out", "group": "Streets and sidewalks",
     "agency": "transportation", "team": "Signals and lights", "keywords": "lamp, light, dark, streetlight",
     "description": "A street light that is dark, flickering or on during the day.",
     "attributes": [attr("pole_number", "string", "Pole number (on a metal tag on the pole)"),
                    attr("problem", "singlevaluelist", "What is wrong?", required=True,
                         values=_values("Dark", "Flickering", "On during the day"))],
     "texts": [("Street light out", "The street light in front of my house has been dark for a week."),
               ("Flickering light", "The lamp on the corner flickers all night, the block is very dark.")]},
    {"code": "traffic-signal", "name": "Traffic signal malfunction", "group": "Streets and sidewalks",
     "agency": "transportation", "team": "Signals and lights", "keywords": "traffic light, signal, intersection",
     "description": "A traffic light that is dark, stuck or out of sync.",
     "attributes": [attr("direction", "multivaluelist", "Which directions are affected?",
                         values=_values("Northbound", "Southbound", "Eastbound", "Westbound"))],
     "texts": [("Traffic light stuck on red", "The signal at the intersection is stuck on red for everyone."),
               ("Signal dark", "The traffic light is completely dark, drivers are confused.")]},
    {"code": "snow-removal", "name": "Snow removal", "group": "Streets and sidewalks", "agency": "public-works",
     "team": "Streets crew", "realtime": False, "keywords": "snow, ice, plow, salt",
     "description": "Streets not plowed or salted after a storm.",
     "attributes": [attr("surface", "singlevaluelist", "Where is the snow?", required=True,
                         values=_values("Street", "Sidewalk", "Bus stop"))],
     "texts": [("Street not plowed", "Our street has not been plowed since the storm and cars are stuck."),
               ("Icy bus stop", "The bus stop is covered in ice, an older man slipped this morning.")]},
    {"code": "graffiti", "name": "Graffiti", "group": "Streets and sidewalks", "agency": "sanitation",
     "team": "Street cleaning", "keywords": "tag, paint, vandalism, spray",
     "description": "Graffiti on public or private property.",
     "attributes": [attr("surface", "singlevaluelist", "What is it painted on?", required=True,
                         values=_values("Wall", "Fence", "Sign", "Bridge", "Other")),
                    attr("offensive", "singlevaluelist", "Is it offensive?", values=YES_NO)],
     "texts": [("Graffiti on wall", "Someone sprayed graffiti all over the wall of the corner store."),
               ("Tags on the bridge", "New tags on the pedestrian bridge over the river, some are offensive.")]},
    {"code": "missed-trash-pickup", "name": "Missed trash pickup", "group": "Trash and recycling",
     "agency": "sanitation", "team": "Collections", "keywords": "garbage, recycling, collection, bin",
     "description": "Trash or recycling not collected on the scheduled day.",
     "attributes": [attr("bin_type", "multivaluelist", "Which bins were missed?", required=True,
                         values=_values("Trash", "Recycling", "Yard waste")),
                    attr("pickup_date", "datetime", "When was the pickup scheduled?")],
     "texts": [("Trash not collected", "The truck skipped our block again, the bins are still full."),
               ("Recycling missed", "Recycling was not picked up this week on the whole street.")]},
    {"code": "bulky-item-pickup", "name": "Bulky item pickup", "group": "Trash and recycling",
     "agency": "sanitation", "team": "Collections", "realtime": False, "keywords": "furniture, mattress, appliance",
     "description": "Schedule a pickup of furniture, mattresses or appliances.",
     "attributes": [attr("items", "text", "What items, and how many?", required=True)],
     "texts": [("Couch pickup", "I would like to schedule a pickup for an old couch and two chairs."),
               ("Old fridge", "Please pick up a refrigerator, the doors have been removed.")]},
    {"code": "illegal-dumping", "name": "Illegal dumping", "group": "Trash and recycling",
     "agency": "sanitation", "team": "Street cleaning", "keywords": "dumping, debris, tires, trash pile",
     "description": "Trash, tires or construction debris dumped on public land.",
     "attributes": [attr("material", "multivaluelist", "What was dumped?",
                         values=_values("Household trash", "Tires", "Construction debris", "Furniture"))],
     "texts": [("Dumping in the alley", "A pile of tires and construction debris was dumped in the alley."),
               ("Mattresses on the lot", "Someone dumped mattresses and trash bags on the empty lot.")]},
    {"code": "dead-animal", "name": "Dead animal", "group": "Trash and recycling", "agency": "sanitation",
     "team": "Street cleaning", "keywords": "deer, raccoon, carcass, roadkill",
     "description": "A dead animal on a street or sidewalk.",
     "attributes": [attr("animal", "string", "What kind of animal?")],
     "texts": [("Dead deer on the road", "There is a dead deer on the shoulder of the road."),
               ("Dead raccoon", "A dead raccoon has been on the sidewalk for two days.")]},
    {"code": "tree-down", "name": "Tree down", "group": "Parks and trees", "agency": "parks",
     "team": "Urban forestry", "keywords": "branch, limb, fallen tree, storm",
     "description": "A fallen tree or large branch.",
     "attributes": [attr("power_lines", "text", "If the tree touches power lines, call 911 and stay away.",
                         variable=False),
                    attr("blocking", "singlevaluelist", "Is it blocking the street or sidewalk?", required=True,
                         values=YES_NO)],
     "texts": [("Tree fell on the sidewalk", "A big tree came down in the storm and blocks the sidewalk."),
               ("Large branch hanging", "A large branch is hanging over the street and could fall any moment.")]},
    {"code": "park-maintenance", "name": "Park maintenance", "group": "Parks and trees", "agency": "parks",
     "team": "Park maintenance", "realtime": False, "keywords": "grass, bench, fountain, park",
     "description": "Grass, benches, fountains, lights and paths in city parks.",
     "attributes": [attr("park_name", "string", "Which park?", required=True)],
     "texts": [("Grass not mowed", "The grass at the park has not been mowed in weeks, it is knee high."),
               ("Broken bench", "A bench by the pond is broken and has sharp edges.")]},
    {"code": "playground-damage", "name": "Playground damage", "group": "Parks and trees", "agency": "parks",
     "team": "Park maintenance", "keywords": "swing, slide, playground",
     "description": "Broken or unsafe playground equipment.",
     "attributes": [attr("equipment", "singlevaluelist", "What is damaged?",
                         values=_values("Swing", "Slide", "Climbing frame", "Surface", "Fence"))],
     "texts": [("Broken swing", "One of the swings is broken and the chain is hanging loose."),
               ("Slide cracked", "The slide at the playground has a crack and children could get hurt.")]},
    {"code": "housing-code-violation", "name": "Housing code violation", "group": "Housing and buildings",
     "agency": "housing", "team": "Code inspections", "realtime": False, "keywords": "landlord, heat, mold, repair",
     "description": "Unsafe or unhealthy conditions in a rental unit.",
     "attributes": [attr("unit", "string", "Apartment or unit number"),
                    attr("problem", "text", "Describe the conditions", required=True)],
     "texts": [("No heat in apartment", "Our landlord has not fixed the heat for two weeks and it is cold."),
               ("Mold in bathroom", "There is black mold in the bathroom and the landlord does not answer.")]},
    {"code": "rodent-sighting", "name": "Rodent sighting", "group": "Housing and buildings", "agency": "housing",
     "team": "Code inspections", "keywords": "rats, mice, rodents, pest",
     "description": "Rats or mice outdoors or in a building.",
     "attributes": [attr("location_type", "singlevaluelist", "Where did you see them?", required=True,
                         values=_values("Alley", "Yard", "Inside a building", "Street"))],
     "texts": [("Rats in the alley", "We see rats every evening around the trash bins in the alley."),
               ("Rodents near restaurant", "Rats are running out from behind the restaurant on the corner.")]},
    {"code": "noise-complaint", "name": "Noise complaint", "group": "Public safety", "agency": "police",
     "team": "Community policing", "keywords": "loud music, party, noise",
     "description": "Ongoing loud music, parties or construction at night.",
     "attributes": [attr("source", "singlevaluelist", "What is the noise?", required=True,
                         values=_values("Music", "Party", "Construction", "Vehicle", "Other")),
                    attr("started_at", "datetime", "When did it start?")],
     "texts": [("Loud music every night", "The neighbors play loud music past midnight every night."),
               ("Construction at night", "A construction crew is working with loud machines at 2 am.")]},
    {"code": "abandoned-vehicle", "name": "Abandoned vehicle", "group": "Public safety", "agency": "police",
     "team": "Traffic unit", "keywords": "car, abandoned, parked, plate",
     "description": "A vehicle left on a public street for more than 72 hours.",
     "attributes": [attr("plate", "string", "License plate", required=True),
                    attr("color", "string", "Color of the vehicle"),
                    attr("days", "number", "How many days has it been there?")],
     "texts": [("Abandoned car", "A car with flat tires has not moved from our street for three weeks."),
               ("Van left on the street", "A van with broken windows has been parked here for over a month.")]},
    {"code": "water-leak", "name": "Water leak", "group": "Water", "agency": "public-works",
     "team": "Water and sewer", "keywords": "water main, leak, hydrant, flooding",
     "description": "Water leaking from a main, hydrant or meter pit.",
     "attributes": [attr("source", "singlevaluelist", "Where is the water coming from?", required=True,
                         values=_values("Street", "Hydrant", "Meter pit", "Unknown"))],
     "texts": [("Water leaking from the street", "Clean water is bubbling up through the asphalt on our street."),
               ("Hydrant leaking", "The fire hydrant on the corner has been leaking for days.")]},
    {"code": "clogged-storm-drain", "name": "Clogged storm drain", "group": "Water", "agency": "public-works",
     "team": "Water and sewer", "keywords": "drain, inlet, flooding, sewer",
     "description": "A storm drain blocked by leaves or debris.",
     "attributes": [attr("flooding", "singlevaluelist", "Is the street flooding?", values=YES_NO)],
     "texts": [("Storm drain blocked", "The storm drain is full of leaves and the street floods when it rains."),
               ("Flooded corner", "Water pools at the corner because the drain is clogged.")]},
    {"code": "general-question", "name": "General question", "group": "General", "agency": "311",
     "team": "Call takers", "keywords": "question, information, help",
     "description": "Any other question for the City of Riverbend.",
     "attributes": [],
     "texts": [("Question about permits", "How do I get a permit for a block party on our street?"),
               ("Recycling schedule", "What day is recycling collected on my street during holidays?"),
               ("Office hours", "When is the city hall service desk open on Saturdays?")]},
]

CHANNEL_WEIGHTS = {"web": 30, "email": 24, "phone": 15, "sms": 10, "open311": 10, "x": 4, "mastodon": 3,
                   "facebook": 2, "bluesky": 2}

STREETS = ["Main Street", "River Road", "Oak Avenue", "Maple Street", "Elm Street", "Market Street", "Bridge Street",
           "Mill Road", "Church Street", "High Street", "Park Avenue", "Water Street", "Chestnut Street",
           "Walnut Street", "Spruce Street", "Lincoln Avenue", "Washington Avenue", "Franklin Street",
           "Canal Street", "Ferry Road", "Harbor Way", "Orchard Lane", "Willow Drive", "Cedar Lane", "Pine Street",
           "Hillside Avenue", "Lakeview Drive", "Station Road", "School Street", "Union Street"]

FIRST_NAMES = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
               "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Carlos", "Karen",
               "Ahmed", "Nancy", "Wei", "Lisa", "Daniel", "Betty", "Matthew", "Sandra", "Anthony", "Ashley",
               "Kwame", "Emily", "Luis", "Fatima", "Ivan", "Mei", "Olu", "Rosa", "Hiro", "Ana"]
LAST_NAMES = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
              "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
              "Nguyen", "Kim", "Patel", "Okafor", "Cohen", "Rossi", "Murphy", "Walker", "Young", "Allen"]
BUSINESSES = ["Riverside Bakery", "Main Street Hardware", "Harbor Diner", "Oak Avenue Pharmacy", "Millside Laundromat",
              "Bridge Street Books", "Canal Coffee Roasters", "Ferry Road Auto Repair"]
PARTNERS = ["Riverbend Neighborhood Association", "Friends of Riverbend Parks", "Riverbend Tenants Union",
            "Riverbend Business District"]
OTHER_AGENCY_STAFF = [("Riverbend School District", "facilities"), ("Riverbend Transit Authority", "operations"),
                      ("County Health Department", "inspections")]

FOLLOW_UPS = ["Any update on this? It is still a problem.", "Thank you for the quick answer!",
              "I am adding that it got worse after the weekend.", "Is there anything else you need from me?"]
REPLIES = [
    "Thank you for your report. A crew has been scheduled to look at it this week.",
    "We have forwarded this to the responsible team. We will let you know when the work is done.",
    "Thanks for letting us know. Could you tell us the nearest cross street?",
    "An inspector visited the location today. The repair is scheduled.",
    "The work has been completed. Please reply if the problem comes back.",
]
# Replies that say nothing personal are posted as public updates (the status page, map and Open311 show them).
PUBLIC_REPLIES = {REPLIES[0], REPLIES[1], REPLIES[3], REPLIES[4]}
# Services whose descriptions are about a place, not a person: their original description is public.
PUBLISHED_DESCRIPTIONS = {"pothole", "broken-sidewalk", "streetlight-out", "traffic-signal", "snow-removal",
                          "graffiti", "illegal-dumping", "dead-animal"}
# Where a service asks for a location (every other service requires one): a general question is about no place,
# and a park is named by the "Which park?" question, so its map point is optional.
LOCATION_MODES = {"general-question": "not_asked", "park-maintenance": "optional"}
NOTES = ["Checked location on the map, duplicates none.", "Crew lead says this is on next week's route.",
         "Called the resident back, no answer; left a voicemail.", "Parts ordered, waiting on delivery.",
         "Similar reports nearby; grouping the work order."]
TRANSFER_REASONS = ["Belongs to another agency's area of work.", "Misrouted by the resident's choice of service.",
                    "The other agency owns this asset."]
TAGS = ["repeat", "school-zone", "vip", "media", "council-referral", "accessibility", "storm-2026"]
