"""The association's reference data: programmes with their public targets, themes, spoken languages and
the skill taxonomy.

Loaded by a data migration and kept in step by `reference_data_sync` (safe to repeat).
"""

import csv
from pathlib import Path

MUNICIPALITIES_CSV = Path(__file__).resolve().parent / "data" / "municipalities.csv"

# code, Dutch name, English name, target, Dutch unit, English unit
PROGRAMMES = [
    (
        "corporate-volunteering",
        "Corporate volunteering",
        "Corporate volunteering",
        100_000,
        "corporate vrijwilligers ingezet",
        "corporate volunteers deployed",
    ),
    ("work", "Werk", "Work", 5_000, "mensen met ondersteuning aan het werk", "people needing support into work"),
    (
        "financial-health",
        "Financiële gezondheid",
        "Financial health",
        250_000,
        "inwoners financieel gezonder",
        "residents with improved financial health",
    ),
    (
        "digital-skills",
        "(Digitale) vaardigheden",
        "(Digital) skills",
        7_500,
        "inwoners met sterkere (digitale) vaardigheden",
        "residents with stronger (digital) skills",
    ),
]

INCLUSIVE_EMPLOYERS_TARGET = 1_000

THEMES = [
    ("care", "Zorg en welzijn", "Care and wellbeing"),
    ("newcomers", "Nieuwkomers en inburgering", "Newcomers and integration"),
    ("education", "Onderwijs", "Education"),
    ("poverty", "Armoede en schulden", "Poverty and debt"),
    ("digital-inclusion", "Digitale inclusie", "Digital inclusion"),
    ("work-participation", "Werk en participatie", "Work and participation"),
    ("youth", "Jeugd", "Youth"),
    ("elderly", "Ouderen", "Older people"),
    ("loneliness", "Eenzaamheid", "Loneliness"),
    ("sustainability", "Duurzaamheid", "Sustainability"),
    ("neighbourhood", "Buurt en leefbaarheid", "Neighbourhood and liveability"),
    ("health", "Gezondheid en sport", "Health and sport"),
    ("culture", "Kunst en cultuur", "Arts and culture"),
    ("language", "Taal", "Language"),
]

# code, Dutch name, English name: the languages spoken in the region, most common first
SPOKEN_LANGUAGES = [
    ("nl", "Nederlands", "Dutch"),
    ("en", "Engels", "English"),
    ("de", "Duits", "German"),
    ("fr", "Frans", "French"),
    ("es", "Spaans", "Spanish"),
    ("pl", "Pools", "Polish"),
    ("uk", "Oekraïens", "Ukrainian"),
    ("ru", "Russisch", "Russian"),
    ("tr", "Turks", "Turkish"),
    ("ar", "Arabisch", "Arabic"),
    ("ti", "Tigrinya", "Tigrinya"),
    ("fa", "Perzisch (Farsi/Dari)", "Persian (Farsi/Dari)"),
    ("so", "Somalisch", "Somali"),
    ("zh", "Chinees", "Chinese"),
    ("hi", "Hindi", "Hindi"),
    ("pt", "Portugees", "Portuguese"),
]

# code, category, Dutch name, English name
SKILLS = [
    ("data-analysis", "data_tech", "Data-analyse", "Data analysis"),
    ("data-science", "data_tech", "Data science", "Data science"),
    ("machine-learning", "data_tech", "Machine learning en AI", "Machine learning and AI"),
    ("software-development", "data_tech", "Softwareontwikkeling", "Software development"),
    ("web-development", "data_tech", "Websites bouwen", "Web development"),
    ("it-support", "data_tech", "IT-ondersteuning", "IT support"),
    ("cybersecurity", "data_tech", "Informatiebeveiliging", "Cybersecurity"),
    ("databases", "data_tech", "Databases", "Databases"),
    ("electronics", "data_tech", "Elektronica", "Electronics"),
    ("mechanical-engineering", "data_tech", "Werktuigbouwkunde", "Mechanical engineering"),
    ("communication", "communication", "Communicatie", "Communication"),
    ("copywriting", "communication", "Teksten schrijven", "Copywriting"),
    ("social-media", "communication", "Sociale media", "Social media"),
    ("marketing", "communication", "Marketing", "Marketing"),
    ("public-relations", "communication", "Pers en PR", "Public relations"),
    ("photography-video", "communication", "Foto en video", "Photography and video"),
    ("plain-language", "communication", "Eenvoudige taal (B1)", "Plain language"),
    ("finance", "business", "Financiën", "Finance"),
    ("bookkeeping", "business", "Boekhouden", "Bookkeeping"),
    ("fundraising", "business", "Fondsenwerving", "Fundraising"),
    ("strategy", "business", "Strategie", "Strategy"),
    ("project-management", "business", "Projectmanagement", "Project management"),
    ("process-improvement", "business", "Procesverbetering", "Process improvement"),
    ("sales", "business", "Verkoop", "Sales"),
    ("entrepreneurship", "business", "Ondernemerschap", "Entrepreneurship"),
    ("hr", "people", "Personeelszaken (HR)", "Human resources"),
    ("recruitment", "people", "Werving en selectie", "Recruitment"),
    ("leadership", "people", "Leidinggeven", "Leadership"),
    ("facilitation", "people", "Bijeenkomsten begeleiden", "Facilitation"),
    ("change-management", "people", "Verandermanagement", "Change management"),
    ("volunteer-coordination", "people", "Vrijwilligers coördineren", "Volunteer coordination"),
    ("coaching", "education", "Coaching", "Coaching"),
    ("mentoring", "education", "Mentorschap", "Mentoring"),
    ("teaching", "education", "Lesgeven", "Teaching"),
    ("homework-help", "education", "Huiswerkbegeleiding", "Homework help"),
    ("job-coaching", "education", "Jobcoaching", "Job coaching"),
    ("digital-skills-training", "education", "Digitale vaardigheden leren", "Digital skills training"),
    ("technical-training", "education", "Technische vakopleiding", "Technical training"),
    ("listening", "care", "Luisterend oor", "Listening"),
    ("companionship", "care", "Gezelschap bieden", "Companionship"),
    ("care-support", "care", "Ondersteuning in de zorg", "Care support"),
    ("first-aid", "care", "EHBO", "First aid"),
    ("budget-coaching", "care", "Budgetcoaching", "Budget coaching"),
    ("dutch-language", "language", "Nederlandse taal", "Dutch language"),
    ("language-buddy", "language", "Taalmaatje", "Language buddy"),
    ("translation", "language", "Vertalen", "Translation"),
    ("intercultural", "language", "Interculturele communicatie", "Intercultural communication"),
    ("english-language", "language", "Engelse taal", "English language"),
    ("carpentry", "practical", "Timmeren", "Carpentry"),
    ("gardening", "practical", "Tuinieren", "Gardening"),
    ("painting", "practical", "Schilderen", "Painting and decorating"),
    ("cooking", "practical", "Koken", "Cooking"),
    ("driving", "practical", "Rijden en vervoer", "Driving"),
    ("repair", "practical", "Repareren", "Repairs"),
    ("logistics", "practical", "Logistiek", "Logistics"),
    ("event-organisation", "practical", "Evenementen organiseren", "Event organisation"),
    ("graphic-design", "creative", "Grafisch ontwerp", "Graphic design"),
    ("ux-design", "creative", "UX-ontwerp", "UX design"),
    ("music", "creative", "Muziek", "Music"),
    ("crafts", "creative", "Handwerk", "Crafts"),
    ("legal-advice", "legal", "Juridisch advies", "Legal advice"),
    ("administration", "legal", "Administratie", "Administration"),
    ("privacy-gdpr", "legal", "Privacy (AVG)", "Privacy (GDPR)"),
    ("forms-and-paperwork", "legal", "Hulp bij formulieren", "Help with forms"),
]


def municipalities():
    """The region's 21 municipalities as dicts: name, subregion, latitude, longitude."""
    with MUNICIPALITIES_CSV.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def reference_data_sync(*, apps=None):
    """Create or update municipalities, programmes, themes and skills. Safe to repeat."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Municipality = apps.get_model("members", "Municipality")
    Programme = apps.get_model("members", "Programme")
    Theme = apps.get_model("members", "Theme")
    Skill = apps.get_model("members", "Skill")
    try:
        SpokenLanguage = apps.get_model("members", "SpokenLanguage")
    except LookupError:  # a data migration older than the model
        SpokenLanguage = None
    for row in municipalities():
        Municipality.objects.update_or_create(
            name=row["name"],
            defaults={"subregion": row["subregion"], "latitude": row["latitude"], "longitude": row["longitude"]},
        )
    for position, (code, name_nl, name_en, target, unit_nl, unit_en) in enumerate(PROGRAMMES):
        Programme.objects.update_or_create(
            code=code,
            defaults={
                "name_nl": name_nl,
                "name_en": name_en,
                "target": target,
                "target_unit_nl": unit_nl,
                "target_unit_en": unit_en,
                "position": position,
            },
        )
    for code, name_nl, name_en in THEMES:
        Theme.objects.update_or_create(code=code, defaults={"name_nl": name_nl, "name_en": name_en})
    for position, (code, name_nl, name_en) in enumerate(SPOKEN_LANGUAGES if SpokenLanguage else []):
        SpokenLanguage.objects.update_or_create(
            code=code, defaults={"name_nl": name_nl, "name_en": name_en, "position": position}
        )
    for code, category, name_nl, name_en in SKILLS:
        Skill.objects.update_or_create(
            code=code, defaults={"category": category, "name_nl": name_nl, "name_en": name_en}
        )
