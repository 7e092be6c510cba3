"""Demo data for a laptop or a test server: reference data, ~40 organisations of every kind, a coordinator,
organisation admins and members, two applications waiting for review, and a small market of needs, volunteers
and offers (see `members.demo.market`). Safe to repeat.

With `--volunteers N --needs N --organisations N` (any of them) it then tops the scale data up to those
totals (see `members.demo.scale`): `seed_demo --volunteers 100000 --needs 20000 --organisations 2000` is the
association at full size.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from members.demo import (
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    DEMO_VOLUNTEER_LOGINS,
    SCALE_DOMAIN,
    SEED,
    demo_market_load,
    scale_load,
)
from members.models import Membership, MembershipApplication, Municipality, Organisation, User
from members.reference_data import reference_data_sync
from members.services import coordinator_grant, totp_activate

DOMAIN = "demo.brainportvoorelkaar.nl"

COMPANY, SOCIAL, GOVERNMENT, EDUCATION, OTHER = (
    Organisation.Kind.COMPANY,
    Organisation.Kind.SOCIAL,
    Organisation.Kind.GOVERNMENT,
    Organisation.Kind.EDUCATION,
    Organisation.Kind.OTHER,
)

# name, kind, municipality, inclusive employer, description
ORGANISATIONS = [
    (
        "Campus Data & AI Lab",
        COMPANY,
        "Eindhoven",
        False,
        "Data- en AI-specialisten op de High Tech Campus die hun kennis inzetten voor maatschappelijke vragen.",
    ),
    (
        "Kraamzorg Zuidoost",
        SOCIAL,
        "Eindhoven",
        False,
        "Kraamzorgorganisatie die met AI geboortes wil voorspellen om kraamverzorgenden beter in te plannen.",
    ),
    (
        "Precisie Techniek Helmond",
        COMPANY,
        "Helmond",
        True,
        "Maakbedrijf dat Oekraïense collega's helpt met taal en cultuur: Taalmaatjes op de werkvloer.",
    ),
    ("Taalhuis Regio Eindhoven", SOCIAL, "Eindhoven", False, "Helpt inwoners beter lezen, schrijven en rekenen."),
    ("Vluchtelingenwerk Brainport", SOCIAL, "Eindhoven", False, "Begeleidt nieuwkomers bij hun start in de regio."),
    ("Schuldhulpmaatje De Peel", SOCIAL, "Deurne", False, "Vrijwillige budgetcoaches voor inwoners met geldzorgen."),
    ("Buurtkracht Woensel", SOCIAL, "Eindhoven", False, "Bewonersinitiatieven in de wijk Woensel."),
    ("Voedselbank Helmond", SOCIAL, "Helmond", False, "Voedselhulp voor huishoudens in en rond Helmond."),
    ("Stichting Ouderen Samen", SOCIAL, "Veldhoven", False, "Bezoekwerk en activiteiten tegen eenzaamheid."),
    ("Jongerenwerk Kempen", SOCIAL, "Bladel", False, "Jongerenwerk in de Kempengemeenten."),
    ("Digi-Café Valkenswaard", SOCIAL, "Valkenswaard", False, "Inloopspreekuur voor hulp bij computer en telefoon."),
    (
        "Werkbedrijf Kempen",
        OTHER,
        "Eersel",
        True,
        "Regionale coördinatie van leerwerkplekken (BBL) voor technisch talent.",
    ),
    ("Chipmakers Veldhoven", COMPANY, "Veldhoven", True, "Halfgeleiderbedrijf met een groot vrijwilligersprogramma."),
    (
        "Lichtwerk Eindhoven",
        COMPANY,
        "Eindhoven",
        False,
        "Verlichtingsbedrijf; communicatieprofessionals lenen een hand.",
    ),
    (
        "Brabant Mobility Systems",
        COMPANY,
        "Helmond",
        True,
        "Automotive-engineering; teams doen één dag per jaar iets voor de buurt.",
    ),
    ("Kempen Logistiek", COMPANY, "Reusel-De Mierden", True, "Logistiek dienstverlener met inclusieve werkplekken."),
    ("Accountancy Dommelvallei", COMPANY, "Geldrop-Mierlo", False, "Accountants die pro bono boekhoudhulp bieden."),
    (
        "Software Studio Best",
        COMPANY,
        "Best",
        False,
        "Softwarebedrijf; ontwikkelaars bouwen websites voor goede doelen.",
    ),
    ("Zorgverzekeraar Zuid", COMPANY, "Eindhoven", False, "Data-analisten voor gezondheidsvragen in de regio."),
    ("Bouwbedrijf Peelland", COMPANY, "Gemert-Bakel", True, "Bouwbedrijf; klust mee aan buurthuizen."),
    ("Energiecoöperatie Son", OTHER, "Son en Breugel", False, "Bewoners die samen duurzame energie opwekken."),
    (
        "Drukkerij Oirschot",
        COMPANY,
        "Oirschot",
        True,
        "Drukkerij met werkplekken voor mensen met een afstand tot werk.",
    ),
    ("Installatietechniek Someren", COMPANY, "Someren", True, "Installatiebedrijf dat BBL-leerlingen opleidt."),
    (
        "Communicatiebureau Nuenen",
        COMPANY,
        "Nuenen c.a.",
        False,
        "Communicatiebureau dat maatschappelijke organisaties helpt.",
    ),
    ("Bank Brainport", COMPANY, "Eindhoven", False, "Bank met medewerkers die financiële gezondheid versterken."),
    ("Gemeente Eindhoven", GOVERNMENT, "Eindhoven", True, "Gemeente; partner in alle vier de programma's."),
    ("Gemeente Helmond", GOVERNMENT, "Helmond", True, "Gemeente; partner in werk en financiële gezondheid."),
    ("Gemeente Veldhoven", GOVERNMENT, "Veldhoven", False, "Gemeente; partner in corporate volunteering."),
    ("Gemeente Bladel", GOVERNMENT, "Bladel", False, "Gemeente in De Kempen."),
    ("Metropoolregio Eindhoven", GOVERNMENT, "Eindhoven", False, "Samenwerking van de 21 gemeenten."),
    ("ROC Brainport", EDUCATION, "Eindhoven", False, "Mbo-opleidingen, ook in de beroepsbegeleidende leerweg (BBL)."),
    (
        "Hogeschool Brainport",
        EDUCATION,
        "Eindhoven",
        False,
        "Studenten en docenten doen mee met maatschappelijke projecten.",
    ),
    ("Technische Universiteit Campus", EDUCATION, "Eindhoven", False, "Onderzoekers en studenten met data-expertise."),
    ("Basisschool De Regenboog", EDUCATION, "Waalre", False, "Basisschool die huiswerkbegeleiding zoekt."),
    ("Praktijkschool De Peel", EDUCATION, "Asten", False, "Praktijkonderwijs met stages bij bedrijven."),
    ("Kinderopvang Heeze-Leende", SOCIAL, "Heeze-Leende", False, "Kinderopvang met voorleesvrijwilligers."),
    ("Sportclub Laarbeek", SOCIAL, "Laarbeek", False, "Sportvereniging die trainers zoekt voor aangepast sporten."),
    ("Hospice Cranendonck", SOCIAL, "Cranendonck", False, "Hospice dat gastvrouwen en -heren zoekt."),
    ("Bibliotheek Bergeijk", SOCIAL, "Bergeijk", False, "Bibliotheek met cursussen digitale vaardigheden."),
    (
        "Stichting Leergeld Brainport",
        SOCIAL,
        "Eindhoven",
        False,
        "Zorgt dat kinderen mee kunnen doen, ook als er weinig geld is.",
    ),
]

# email local part, name, organisation, role
PEOPLE = [
    ("admin.datalab", "Sanne de Vries", "Campus Data & AI Lab", Membership.Role.ADMIN),
    ("lid.datalab", "Youssef El Amrani", "Campus Data & AI Lab", Membership.Role.MEMBER),
    ("admin.kraamzorg", "Marieke Janssen", "Kraamzorg Zuidoost", Membership.Role.ADMIN),
    ("lid.kraamzorg", "Olena Kovalenko", "Kraamzorg Zuidoost", Membership.Role.MEMBER),
    ("admin.precisie", "Peter van den Heuvel", "Precisie Techniek Helmond", Membership.Role.ADMIN),
    ("admin.werkbedrijf", "Ingrid Smits", "Werkbedrijf Kempen", Membership.Role.ADMIN),
    ("admin.gemeente", "Ahmed Bakker", "Gemeente Eindhoven", Membership.Role.ADMIN),
    ("admin.roc", "Lotte Verhoeven", "ROC Brainport", Membership.Role.ADMIN),
    # One person in two organisations, to show switching.
    ("lid.twee", "Daan Peeters", "Taalhuis Regio Eindhoven", Membership.Role.MEMBER),
    ("lid.twee", "Daan Peeters", "Vluchtelingenwerk Brainport", Membership.Role.ADMIN),
]

PENDING_APPLICATIONS = [
    (
        "Repair Café Geldrop",
        SOCIAL,
        "Geldrop-Mierlo",
        "aanvraag.repaircafe",
        "Henk Willems",
        "Wij zoeken technische vrijwilligers die mee willen repareren.",
    ),
    (
        "Sensorbouw Best",
        COMPANY,
        "Best",
        "aanvraag.sensorbouw",
        "Fatima Ouali",
        "Onze engineers willen graag iets doen voor de regio.",
    ),
]


def demo_email(local):
    return f"{local}@{DOMAIN}"


class Command(BaseCommand):
    help = "Load demo data (safe to repeat) and print the demo logins; optionally top up scale data."

    def add_arguments(self, parser):
        parser.add_argument("--organisations", type=int, help="total scale organisations to reach")
        parser.add_argument("--volunteers", type=int, help="total scale volunteers to reach")
        parser.add_argument("--needs", type=int, help="total scale needs to reach")
        parser.add_argument("--seed", type=int, default=SEED, help="random seed of the scale data")

    def handle(self, *args, **options):
        self.demo_load()
        totals = {key: options[key] for key in ("organisations", "volunteers", "needs")}
        if any(value is not None for value in totals.values()):
            made = scale_load(**totals, seed=options["seed"], log=lambda line: self.stdout.write(f"  {line}"))
            self.stdout.write(
                self.style.SUCCESS(
                    _("Scale data topped up in %(seconds)s s (users @%(domain)s, password as below).")
                    % {"seconds": made["seconds"], "domain": SCALE_DOMAIN}
                )
            )

    @transaction.atomic
    def demo_load(self):
        reference_data_sync()
        municipalities = {m.name: m for m in Municipality.objects.all()}
        now = timezone.now()
        organisations = {}
        for name, kind, municipality, inclusive, description in ORGANISATIONS:
            org, _created = Organisation.objects.get_or_create(
                name=name,
                defaults={
                    "slug": _slug(name),
                    "kind": kind,
                    "municipality": municipalities[municipality],
                    "is_inclusive_employer": inclusive,
                    # The demo's inclusive employers are confirmed, and every demo organisation may be named.
                    "inclusive_confirmed_at": now if inclusive else None,
                    "may_be_named_publicly": True,
                    "description": description,
                    "status": Organisation.Status.ACTIVE,
                    "joined_at": now,
                },
            )
            organisations[name] = org

        coordinator = self.person("coordinator", "Noor Hendriks")
        coordinator_grant(user=coordinator)
        recovery_codes = totp_activate(user=coordinator, secret=DEMO_TOTP_SECRET)
        for local, full_name, org_name, role in PEOPLE:
            user = self.person(local, full_name)
            Membership.objects.get_or_create(user=user, organisation=organisations[org_name], defaults={"role": role})

        for org_name, kind, municipality, local, full_name, motivation in PENDING_APPLICATIONS:
            applicant = self.person(local, full_name)
            org, created = Organisation.objects.get_or_create(
                name=org_name,
                defaults={"slug": _slug(org_name), "kind": kind, "municipality": municipalities[municipality]},
            )
            if created:
                MembershipApplication.objects.create(organisation=org, applicant=applicant, motivation=motivation)

        demo_market_load(organisations=organisations, person=self.person)

        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        rows = [
            ("coordinator", "coordinator", ""),
            ("admin.datalab", "organisation admin", "Campus Data & AI Lab (company)"),
            ("lid.datalab", "organisation member, volunteer", "Campus Data & AI Lab (company)"),
            ("admin.kraamzorg", "organisation admin", "Kraamzorg Zuidoost (social organisation)"),
            ("lid.twee", "member of two organisations", "Taalhuis and Vluchtelingenwerk"),
            *DEMO_VOLUNTEER_LOGINS,
        ]
        for local, role, org in rows:
            self.stdout.write(f"  {demo_email(local):57} {role:30} {org}")
        self.stdout.write(
            "The coordinator logs in with two-factor authentication (demo only): add the secret "
            f"{DEMO_TOTP_SECRET} to an authenticator app (or run: oathtool --totp -b {DEMO_TOTP_SECRET}), "
            f"or use one of these recovery codes once: {' '.join(recovery_codes)}"
        )

    def person(self, local, full_name):
        email = demo_email(local)
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=None, full_name=full_name)
            # One slow hash for every demo login, not one per person.
            if not hasattr(self, "password_hash"):
                self.password_hash = make_password(DEMO_PASSWORD)
            user.password = self.password_hash
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user


def _slug(name):
    return slugify(name)
