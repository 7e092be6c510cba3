"""The scale data's distributions and texts: where people live, which skills and languages are common, the
kinds of organisations and needs. Used by `members.demo.scale`."""

from members.models import Need, Organisation, WorkLocation

SCALE_DOMAIN = "schaal.brainportvoorelkaar.nl"
SLUG_PREFIX = "schaal-"
VOLUNTEER_PREFIX = "vrijwilliger."
ADMIN_PREFIX = "beheer."
SEED = 2026
# Volunteers and needs belong to scale organisations; when none exist yet and no number is given, this many.
DEFAULT_ORGANISATIONS = 20

# Where people live and organisations sit: the city and its neighbours weigh most.
MUNICIPALITY_WEIGHTS = {
    "Eindhoven": 30,
    "Helmond": 10,
    "Veldhoven": 7,
    "Geldrop-Mierlo": 4,
    "Best": 4,
    "Nuenen c.a.": 3,
    "Valkenswaard": 3,
    "Deurne": 3,
    "Gemert-Bakel": 3,
    "Son en Breugel": 3,
}
OTHER_MUNICIPALITY_WEIGHT = 2

# The most common skills first; the rest follow in the taxonomy's order. Popularity falls off Zipf-like.
POPULAR_SKILLS = [
    "listening",
    "companionship",
    "language-buddy",
    "dutch-language",
    "project-management",
    "communication",
    "data-analysis",
    "coaching",
    "mentoring",
    "gardening",
    "homework-help",
    "cooking",
    "software-development",
    "digital-skills-training",
    "event-organisation",
    "finance",
    "driving",
    "it-support",
    "machine-learning",
    "carpentry",
]

# Share of volunteers speaking each language (independently drawn; everyone speaks at least one).
LANGUAGE_SHARES = {
    "nl": 0.85,
    "en": 0.60,
    "de": 0.12,
    "fr": 0.06,
    "es": 0.05,
    "pl": 0.03,
    "uk": 0.03,
    "ru": 0.02,
    "tr": 0.04,
    "ar": 0.04,
    "ti": 0.005,
    "fa": 0.01,
    "so": 0.005,
    "zh": 0.015,
    "hi": 0.02,
    "pt": 0.015,
}

FIRST_NAMES = {
    "nl": "Sanne Daan Lotte Bram Emma Luuk Anouk Thijs Fleur Ruben Iris Sem Noor Jesse Lisa Tim Eva Koen Sara Milan "
    "Femke Stijn Julia Joris Maud Niels Roos Bas Esmee Wouter Ilse Gijs Marloes Pieter Yara Rik".split(),
    "uk": "Olena Iryna Oksana Andrii Taras Nataliia Dmytro Yulia".split(),
    "ar": "Youssef Fatima Omar Layla Ahmed Amira Karim Noura".split(),
    "tr": "Mehmet Ayse Emre Elif Burak Zeynep".split(),
    "pl": "Katarzyna Piotr Agnieszka Tomasz Magdalena".split(),
    "hi": "Ravi Priya Arjun Ananya".split(),
}
LAST_NAMES = {
    "nl": "de Vries|Jansen|van den Berg|Bakker|Visser|Smits|Meijer|de Boer|Mulder|van Dijk|Bosch|Peeters|Verhoeven|"
    "van der Heijden|Hendriks|Dekker|van Leeuwen|Claessens|Martens|Willems|van Gool|Swinkels|van de Ven|Aarts|"
    "Coolen|van Rooij|Maas|Kuijpers".split("|"),
    "uk": "Kovalenko Shevchenko Bondarenko Melnyk Tkachenko".split(),
    "ar": "El Amrani|Benali|Haddad|Ouali|Mansour".split("|"),
    "tr": "Yilmaz Kaya Demir Şahin Çelik".split(),
    "pl": "Nowak Kowalski Wiśniewska Zielińska".split(),
    "hi": "Sharma Patel Iyer Gupta".split(),
}

COMPANY_WORDS = (
    "Precisie|Campus|Brainport|Kempen|Dommel|Peel|Lichtwerk|Halfgeleider|Mechatronica|Fotonica|Sensor|Data|"
    "Software|Logistiek|Bouw|Installatie|Zorgtech|Mobility|Energie|Finance".split("|")
)
COMPANY_SUFFIXES = ["Systems", "Techniek", "Solutions", "Groep", "B.V.", "Engineering", "Labs", "Services"]
SOCIAL_FORMS = [
    "Stichting {word} {place}",
    "Vereniging {word} {place}",
    "Buurtinitiatief {word} {place}",
    "{word} {place}",
]
SOCIAL_WORDS = (
    "Taalhuis|Voedselhulp|Samen Sterk|Ouderen Samen|Buurtkracht|Jongerenwerk|Schuldhulp|Digi-Café|Repair Café|"
    "Mantelzorg|Kinderhulp|Welzijn|Sport voor Allen|Huiswerkklas|Wijkteam|Nieuwkomers".split("|")
)

# (kind, share, is employer, hosts needs)
ORGANISATION_KINDS = [
    (Organisation.Kind.COMPANY, 0.50),
    (Organisation.Kind.SOCIAL, 0.35),
    (Organisation.Kind.GOVERNMENT, 0.03),
    (Organisation.Kind.EDUCATION, 0.05),
    (Organisation.Kind.OTHER, 0.07),
]
EMPLOYER_KINDS = {Organisation.Kind.COMPANY, Organisation.Kind.GOVERNMENT, Organisation.Kind.EDUCATION}
HOST_KINDS = {
    Organisation.Kind.SOCIAL,
    Organisation.Kind.OTHER,
    Organisation.Kind.GOVERNMENT,
    Organisation.Kind.EDUCATION,
}

# Needs drawn from the association's own examples: title, description, programme, kind, required skills,
# nice-to-have skills, themes, languages. `{place}` is the need's municipality (or the organisation's).
NEED_TEMPLATES = [
    (
        "Taalmaatje op de werkvloer voor een Oekraïense collega in {place}",
        "Een nieuwe collega uit Oekraïne wil beter Nederlands spreken. Als taalmaatje praat je een uur per week "
        "over werk en leven in Nederland, bij de koffieautomaat of tijdens de lunch.",
        "work",
        Need.Kind.BUDDY,
        ["language-buddy"],
        ["dutch-language", "intercultural"],
        ["newcomers", "language", "work-participation"],
        ["nl"],
    ),
    (
        "Taalmaatje voor nieuwkomers in {place}",
        "Nieuwkomers oefenen Nederlands in het dagelijks leven: boodschappen, een brief van de gemeente, een "
        "gesprek op school. Je spreekt elke week af.",
        "work",
        Need.Kind.BUDDY,
        ["language-buddy"],
        ["forms-and-paperwork"],
        ["newcomers", "language"],
        ["nl"],
    ),
    (
        "Geboortes voorspellen met AI voor de planning van de zorg",
        "Met data en AI voorspellen wanneer er zorg nodig is, zodat zorgverleners beter ingepland worden. "
        "We zoeken Data & AI-professionals voor een eerste model.",
        "corporate-volunteering",
        Need.Kind.EXPERTISE,
        ["machine-learning", "data-science"],
        ["databases", "privacy-gdpr"],
        ["care", "health"],
        ["nl", "en"],
    ),
    (
        "Data-analist gezocht: wie bereiken we nog niet in {place}?",
        "Help ons cijfers over armoede en schulden te koppelen aan onze aanmeldingen, zodat we zien in welke "
        "wijken we te weinig mensen helpen.",
        "financial-health",
        Need.Kind.EXPERTISE,
        ["data-analysis"],
        ["databases"],
        ["poverty"],
        ["nl"],
    ),
    (
        "Dashboard voor onze vrijwilligersuren",
        "We willen zien hoeveel uren vrijwilligers maken en waar. Een data-analist bouwt een eenvoudig dashboard.",
        "corporate-volunteering",
        Need.Kind.EXPERTISE,
        ["data-analysis"],
        ["databases", "project-management"],
        ["neighbourhood"],
        ["nl"],
    ),
    (
        "Communicatieprofessional: help ons meer inwoners in {place} te bereiken",
        "Een campagne in eenvoudige taal, op sociale media en in de wijk, zodat meer inwoners weten dat ze bij "
        "ons terechtkunnen.",
        "digital-skills",
        Need.Kind.EXPERTISE,
        ["communication"],
        ["plain-language", "social-media"],
        ["language", "digital-inclusion"],
        ["nl"],
    ),
    (
        "Teksten in eenvoudige taal voor onze folders",
        "Onze folders zijn te moeilijk. Herschrijf ze samen met ons in taalniveau B1.",
        "digital-skills",
        Need.Kind.ONE_OFF,
        ["plain-language"],
        ["copywriting"],
        ["language"],
        ["nl"],
    ),
    (
        "Handen uit de mouwen voor een buurtinitiatief in {place}",
        "Bewoners knappen samen het buurthuis op. Help een zaterdag mee met schilderen, klussen en opruimen.",
        "corporate-volunteering",
        Need.Kind.ONE_OFF,
        ["painting"],
        ["carpentry"],
        ["neighbourhood"],
        ["nl"],
    ),
    (
        "Buurtmoestuin aanleggen in {place}",
        "Samen met bewoners een moestuin aanleggen: bedden bouwen, grond verzetten en planten.",
        "corporate-volunteering",
        Need.Kind.ONE_OFF,
        ["gardening"],
        ["carpentry"],
        ["neighbourhood", "sustainability"],
        ["nl"],
    ),
    (
        "Teamdag: één dag per jaar op pad met ouderen uit {place}",
        "Neem met je team ouderen mee op een uitje, met koffie, een wandeling en een gezamenlijke lunch.",
        "corporate-volunteering",
        Need.Kind.TEAM,
        ["companionship"],
        ["event-organisation", "driving"],
        ["elderly", "loneliness"],
        ["nl"],
    ),
    (
        "Teamdag: kerstpakketten inpakken in {place}",
        "Een bedrijfsteam pakt in één dag honderden pakketten in voor gezinnen met weinig geld.",
        "financial-health",
        Need.Kind.TEAM,
        ["logistics"],
        [],
        ["poverty"],
        ["nl"],
    ),
    (
        "Mentor voor een BBL-leerling techniek in de Kempen",
        "Een leerling in de beroepsbegeleidende leerweg (BBL) leert een technisch vak. Begeleid hem of haar een "
        "jaar lang als mentor.",
        "work",
        Need.Kind.BUDDY,
        ["technical-training", "mentoring"],
        ["mechanical-engineering", "electronics"],
        ["work-participation", "youth", "education"],
        ["nl"],
    ),
    (
        "Jobcoach voor mensen met een afstand tot werk in {place}",
        "Help iemand op weg naar een baan: sollicitatiebrief, gesprek oefenen, de eerste weken op het werk.",
        "work",
        Need.Kind.BUDDY,
        ["job-coaching"],
        ["recruitment", "coaching"],
        ["work-participation"],
        ["nl"],
    ),
    (
        "Budgetcoach voor inwoners met geldzorgen",
        "Samen met een inwoner de post openen, een budget maken en schulden op een rij zetten.",
        "financial-health",
        Need.Kind.BUDDY,
        ["budget-coaching"],
        ["forms-and-paperwork", "finance"],
        ["poverty"],
        ["nl"],
    ),
    (
        "Hulp bij formulieren en toeslagen in {place}",
        "Inloopspreekuur waar inwoners hulp krijgen bij formulieren, toeslagen en brieven van instanties.",
        "financial-health",
        Need.Kind.RECURRING,
        ["forms-and-paperwork"],
        ["administration"],
        ["poverty"],
        ["nl", "ar", "tr"],
    ),
    (
        "Vrijwilligers voor het Digi-Café in {place}",
        "Inwoners helpen met hun telefoon, DigiD en online bankieren. Een ochtend per maand.",
        "digital-skills",
        Need.Kind.RECURRING,
        ["digital-skills-training"],
        ["it-support"],
        ["digital-inclusion", "elderly"],
        ["nl"],
    ),
    (
        "Huiswerkbegeleiding voor kinderen in {place}",
        "Twee middagen per week helpen we kinderen met rekenen en taal.",
        "digital-skills",
        Need.Kind.RECURRING,
        ["homework-help"],
        ["teaching"],
        ["education", "youth"],
        ["nl"],
    ),
    (
        "Nieuwe website voor onze stichting",
        "Onze website is verouderd en niet toegankelijk. Een webontwikkelaar en een ontwerper bouwen een nieuwe.",
        "corporate-volunteering",
        Need.Kind.EXPERTISE,
        ["web-development"],
        ["ux-design", "copywriting"],
        ["digital-inclusion"],
        ["nl", "en"],
    ),
    (
        "Boekhouding op orde voor de jaarrekening",
        "Een accountant helpt onze penningmeester met de boekhouding en de jaarrekening.",
        "financial-health",
        Need.Kind.EXPERTISE,
        ["bookkeeping"],
        ["finance"],
        ["poverty"],
        ["nl"],
    ),
    (
        "Fondsenwervingsplan voor het komende jaar",
        "Help ons een plan te maken om fondsen en sponsors te vinden.",
        "corporate-volunteering",
        Need.Kind.EXPERTISE,
        ["fundraising"],
        ["strategy", "marketing"],
        ["culture"],
        ["nl"],
    ),
    (
        "Bezoekvrijwilliger tegen eenzaamheid in {place}",
        "Eens per week op bezoek bij een oudere voor een kop koffie en een goed gesprek.",
        "corporate-volunteering",
        Need.Kind.RECURRING,
        ["companionship"],
        ["listening"],
        ["elderly", "loneliness"],
        ["nl"],
    ),
    (
        "Chauffeur voor de boodschappenbus",
        "Ouderen zonder vervoer rijden we wekelijks naar de supermarkt.",
        "corporate-volunteering",
        Need.Kind.RECURRING,
        ["driving"],
        ["companionship"],
        ["elderly"],
        ["nl"],
    ),
    (
        "Trainer voor aangepast sporten",
        "Kinderen met een beperking sporten op zaterdag. We zoeken een trainer.",
        "corporate-volunteering",
        Need.Kind.RECURRING,
        ["coaching"],
        ["first-aid"],
        ["health", "youth"],
        ["nl"],
    ),
    (
        "Privacy en AVG: is onze administratie op orde?",
        "Een jurist of privacyspecialist kijkt met ons naar de gegevens die we van cliënten bewaren.",
        "corporate-volunteering",
        Need.Kind.EXPERTISE,
        ["privacy-gdpr"],
        ["legal-advice"],
        ["care"],
        ["nl"],
    ),
    (
        "English-speaking mentor for international students",
        "International students in the region look for a mentor who helps them find their way to work.",
        "work",
        Need.Kind.BUDDY,
        ["mentoring"],
        ["recruitment"],
        ["work-participation", "education"],
        ["en"],
    ),
    (
        "Koken met en voor buurtbewoners in {place}",
        "Eén avond per maand koken we samen een maaltijd voor buurtbewoners.",
        "corporate-volunteering",
        Need.Kind.RECURRING,
        ["cooking"],
        ["event-organisation"],
        ["neighbourhood", "loneliness"],
        ["nl"],
    ),
]

NEED_STATUSES = [
    (Need.Status.OPEN, 0.70),
    (Need.Status.DRAFT, 0.08),
    (Need.Status.PAUSED, 0.02),
    (Need.Status.MATCHED, 0.08),
    (Need.Status.IN_PROGRESS, 0.06),
    (Need.Status.COMPLETED, 0.04),
    (Need.Status.CANCELLED, 0.02),
]
LOCATIONS = [(WorkLocation.ON_SITE, 0.75), (WorkLocation.REMOTE, 0.15), (WorkLocation.HYBRID, 0.10)]
