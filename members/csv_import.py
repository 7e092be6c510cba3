"""Reading a CSV of volunteers: file checks, delimiter detection and per-row validation.

Pure: no database access. The caller passes the reference data to look names up in (`Lookups`) and gets
back every row with its problems; writing is left to `services.volunteer_import_commit`.

Files come from spreadsheets: UTF-8 with or without a byte order mark, separated by commas or (as Dutch
Excel writes them) semicolons.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .validators import validate_single_line

MAX_BYTES = 1_000_000
MAX_ROWS = 5_000
EXTENSIONS = {".csv"}
# What browsers send for a .csv: Excel on Windows registers it as an Excel type, others as text.
CONTENT_TYPES = {
    "text/csv",
    "text/plain",
    "text/x-csv",
    "text/comma-separated-values",
    "application/csv",
    "application/x-csv",
    "application/vnd.ms-excel",
    "application/octet-stream",
    "",
}
LIST_SEPARATORS = re.compile(r"[|,]")
HOURS_RANGE = (1, 160)
TRAVEL_RANGE = (0, 200)


@dataclass(frozen=True)
class Column:
    name: str
    description: object
    example: str
    required: bool = False
    aliases: tuple = ()


COLUMNS = [
    Column(
        "email",
        gettext_lazy("Work email address; used to recognise the person when you upload again."),
        "an.devries@example.nl",
        required=True,
        aliases=("e-mail", "e-mailadres", "emailadres", "mail"),
    ),
    Column("full_name", gettext_lazy("First and last name."), "An de Vries", required=True, aliases=("naam", "name")),
    Column(
        "municipality",
        gettext_lazy("Municipality where the person lives or works, one of the 21 in the region."),
        "Eindhoven",
        aliases=("gemeente",),
    ),
    Column(
        "skills",
        gettext_lazy(
            "Skills, by code or by Dutch or English name, separated by | or a comma. Add :basic, :good or "
            ":expert for the level (good when left out)."
        ),
        "data-analysis:expert|Communicatie",
        aliases=("vaardigheden",),
    ),
    Column(
        "languages",
        gettext_lazy("Languages the person speaks, by code (nl, en, uk, …), separated by | or a comma."),
        "nl|en",
        aliases=("talen",),
    ),
    Column(
        "hours_per_month",
        gettext_lazy("Hours per month, a whole number from 1 to 160."),
        "8",
        aliases=("uren_per_maand", "uren"),
    ),
    Column(
        "travel_km",
        gettext_lazy("How far the person will travel, in km (0 to 200)."),
        "15",
        aliases=("reisafstand_km", "reisafstand"),
    ),
    Column("remote", gettext_lazy("Can also help remotely: ja or nee (yes or no)."), "ja", aliases=("op_afstand",)),
    Column(
        "availability",
        gettext_lazy("When: weekdays, evenings and/or weekends, separated by | or a comma."),
        "evenings|weekends",
        aliases=("beschikbaarheid",),
    ),
]
COLUMN_NAMES = [column.name for column in COLUMNS]
_HEADER_NAMES = {alias: column.name for column in COLUMNS for alias in (column.name, *column.aliases)}

YES = {"ja", "j", "yes", "y", "1", "true", "waar", "x"}
NO = {"nee", "n", "no", "0", "false", "onwaar"}
LEVELS = {
    "1": 1,
    "basic": 1,
    "basis": 1,
    "2": 2,
    "good": 2,
    "goed": 2,
    "3": 3,
    "expert": 3,
}
DEFAULT_LEVEL = 2
AVAILABILITY = {
    "weekdays": "weekdays",
    "weekday": "weekdays",
    "doordeweeks": "weekdays",
    "werkdagen": "weekdays",
    "overdag": "weekdays",
    "evenings": "evenings",
    "evening": "evenings",
    "avonden": "evenings",
    "avond": "evenings",
    "'s avonds": "evenings",
    "weekends": "weekends",
    "weekend": "weekends",
    "weekenden": "weekends",
}


class CsvFileError(Exception):
    """The file as a whole cannot be read; the message says why, in words for the person uploading."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Lookups:
    """Reference data by lower-case code or name: municipality, skill and language ids."""

    municipalities: dict
    skills: dict
    languages: dict


@dataclass(frozen=True)
class RowError:
    column: str
    message: str


@dataclass
class ParsedRow:
    """One data row. A value of None means the cell was empty: keep what is there, or use the default."""

    number: int  # the line in the spreadsheet, counting the header as line 1
    email: str = ""
    full_name: str = ""
    municipality_id: int | None = None
    skills: dict | None = None  # skill id → level
    language_ids: list | None = None
    hours_per_month: int | None = None
    travel_km: int | None = None
    remote_ok: bool | None = None
    availability: set | None = None
    errors: list = field(default_factory=list)
    updates_existing: bool = False  # set by the caller, who knows who is registered already

    def add_error(self, column: str, message: str) -> None:
        self.errors.append(RowError(column, message))


@dataclass
class ParsedFile:
    delimiter: str
    columns: list
    rows: list

    @property
    def error_count(self) -> int:
        return sum(len(row.errors) for row in self.rows)

    @property
    def rows_with_errors(self) -> int:
        return sum(1 for row in self.rows if row.errors)


def read_upload(uploaded) -> str:
    """The text of an uploaded file, or CsvFileError when it is too big, not a CSV, or not UTF-8."""
    name = PurePath(uploaded.name or "").name
    content_type = (getattr(uploaded, "content_type", "") or "").split(";")[0].strip().lower()
    if PurePath(name).suffix.lower() not in EXTENSIONS or content_type not in CONTENT_TYPES:
        raise CsvFileError(
            _("This is not a CSV file. In Excel choose File › Save as › “CSV UTF-8” and upload that file.")
        )
    if uploaded.size > MAX_BYTES:
        raise CsvFileError(
            _("The file is too large (%(size)s kB). Upload at most %(max)s kB, or split the file.")
            % {"size": uploaded.size // 1000, "max": MAX_BYTES // 1000}
        )
    data = uploaded.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise CsvFileError(
            _("The file is too large. Upload at most %(max)s kB, or split the file.") % {"max": MAX_BYTES // 1000}
        )
    return decode(data)


def decode(data: bytes) -> str:
    if b"\x00" in data:
        # A spreadsheet saved as .xlsx or .xls (binary), or UTF-16 text, renamed to .csv; anywhere in the file,
        # since no text has a NUL byte and the database refuses one.
        raise CsvFileError(
            _("This is not a CSV file. In Excel choose File › Save as › “CSV UTF-8” and upload that file.")
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvFileError(
            _("The file is not saved as UTF-8. In Excel choose File › Save as › “CSV UTF-8” and upload it again.")
        ) from error


def detect_delimiter(text: str) -> str:
    """Semicolon or comma, whichever separates the header line more often (Dutch Excel uses semicolons)."""
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def parse(text: str, *, lookups: Lookups) -> ParsedFile:
    """Every row of the file with its problems. Raises CsvFileError when the file as a whole is unusable
    (no header, missing or unknown columns, too many rows)."""
    text = text.lstrip("\ufeff")
    delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise CsvFileError(
                _("The file is empty. The first line must name the columns, such as email and full_name.")
            )
        columns = _columns(header)
        rows = []
        for line in reader:
            if not any(cell.strip() for cell in line):
                continue  # empty lines, or lines of only separators, as spreadsheets write them
            if len(rows) == MAX_ROWS:
                raise CsvFileError(
                    _("The file has more than %(max)s rows. Split it into smaller files.") % {"max": MAX_ROWS}
                )
            rows.append(_parse_row(reader.line_num, columns, line, lookups))
    except csv.Error as error:
        raise CsvFileError(
            _("Line %(line)s of the file cannot be read: %(error)s") % {"line": reader.line_num, "error": error}
        ) from error
    _mark_duplicates(rows)
    return ParsedFile(delimiter=delimiter, columns=[c for c in columns if c], rows=rows)


def _columns(header: list) -> list:
    columns, unknown = [], []
    for cell in header:
        name = cell.strip().lower().replace(" ", "_")
        if not name:
            columns.append(None)
            continue
        if name not in _HEADER_NAMES:
            unknown.append(cell.strip())
        columns.append(_HEADER_NAMES.get(name))
    if unknown:
        raise CsvFileError(
            _("Unknown columns: %(unknown)s. The columns you can use are: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(COLUMN_NAMES)}
        )
    missing = [c.name for c in COLUMNS if c.required and c.name not in columns]
    if missing:
        raise CsvFileError(
            _("The file lacks the column(s) %(columns)s. The first line must name the columns.")
            % {"columns": ", ".join(missing)}
        )
    doubled = sorted({c for c in columns if c and columns.count(c) > 1})
    if doubled:
        raise CsvFileError(_("The column %(columns)s appears more than once.") % {"columns": ", ".join(doubled)})
    return columns


def _parse_row(number: int, columns: list, line: list, lookups: Lookups) -> ParsedRow:
    row = ParsedRow(number=number)
    if len(line) > len(columns) and any(cell.strip() for cell in line[len(columns) :]):
        row.add_error("", _("This row has more cells than the header has columns."))
    cells = {column: line[i].strip() if i < len(line) else "" for i, column in enumerate(columns) if column}

    row.email = cells.get("email", "").lower()
    if not row.email:
        row.add_error("email", _("The email address is missing."))
    else:
        try:
            validate_email(row.email)
        except ValidationError:
            row.add_error("email", _("“%(value)s” is not a valid email address.") % {"value": row.email})

    row.full_name = cells.get("full_name", "")
    if not row.full_name:
        row.add_error("full_name", _("The name is missing."))
    elif len(row.full_name) > 150:
        row.add_error("full_name", _("The name is longer than 150 characters."))
    else:
        try:
            validate_single_line(row.full_name)
        except ValidationError as error:
            row.add_error("full_name", error.messages[0])

    if value := cells.get("municipality"):
        row.municipality_id = lookups.municipalities.get(value.lower())
        if row.municipality_id is None:
            row.add_error(
                "municipality", _("“%(value)s” is not a municipality in the Brainport region.") % {"value": value}
            )

    if value := cells.get("skills"):
        row.skills = _skills(row, value, lookups)
    if value := cells.get("languages"):
        row.language_ids = _languages(row, value, lookups)
    if value := cells.get("hours_per_month"):
        row.hours_per_month = _number(row, "hours_per_month", value, HOURS_RANGE)
    if value := cells.get("travel_km"):
        row.travel_km = _number(row, "travel_km", value, TRAVEL_RANGE)
    if value := cells.get("remote"):
        if value.lower() in YES:
            row.remote_ok = True
        elif value.lower() in NO:
            row.remote_ok = False
        else:
            row.add_error("remote", _("Write ja or nee (yes or no), not “%(value)s”.") % {"value": value})
    if value := cells.get("availability"):
        row.availability = _availability(row, value)
    return row


def _items(value: str) -> list:
    return [item.strip() for item in LIST_SEPARATORS.split(value) if item.strip()]


def _skills(row: ParsedRow, value: str, lookups: Lookups) -> dict:
    skills = {}
    for item in _items(value):
        name, _sep, level_text = item.partition(":")
        skill_id = lookups.skills.get(name.strip().lower())
        level = LEVELS.get(level_text.strip().lower()) if level_text else DEFAULT_LEVEL
        if skill_id is None:
            row.add_error("skills", _("Unknown skill “%(value)s”.") % {"value": name.strip()})
        elif level is None:
            row.add_error(
                "skills",
                _("Unknown level “%(value)s”; use basic, good or expert.") % {"value": level_text.strip()},
            )
        else:
            skills[skill_id] = max(level, skills.get(skill_id, 0))
    return skills


def _languages(row: ParsedRow, value: str, lookups: Lookups) -> list:
    ids = []
    for item in _items(value):
        language_id = lookups.languages.get(item.lower())
        if language_id is None:
            row.add_error(
                "languages", _("Unknown language “%(value)s”; use a code such as nl or en.") % {"value": item}
            )
        elif language_id not in ids:
            ids.append(language_id)
    return ids


def _number(row: ParsedRow, column: str, value: str, bounds: tuple) -> int | None:
    low, high = bounds
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        row.add_error(
            column,
            _("“%(value)s” is not a whole number from %(low)s to %(high)s.")
            % {"value": value, "low": low, "high": high},
        )
        return None
    return number


def _availability(row: ParsedRow, value: str) -> set:
    chosen = set()
    for item in _items(value):
        moment = AVAILABILITY.get(item.lower())
        if moment is None:
            row.add_error(
                "availability",
                _("Unknown moment “%(value)s”; use weekdays, evenings or weekends.") % {"value": item},
            )
        else:
            chosen.add(moment)
    return chosen


def _mark_duplicates(rows: list) -> None:
    first_line = {}
    for row in rows:
        if not row.email:
            continue
        if row.email in first_line:
            row.add_error(
                "email",
                _("%(email)s is also on line %(line)s; each person may appear once.")
                % {"email": row.email, "line": first_line[row.email]},
            )
        else:
            first_line[row.email] = row.number


def example_csv() -> str:
    """A small example file in the format Dutch Excel writes: semicolons and a byte order mark."""
    lines = [
        COLUMN_NAMES,
        [column.example for column in COLUMNS],
        [
            "pieter.jansen@example.nl",
            "Pieter Jansen",
            "Veldhoven",
            "Machine learning en AI|Projectmanagement:good",
            "nl|de",
            "4",
            "25",
            "nee",
            "weekdays",
        ],
    ]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(lines)
    return "\ufeff" + out.getvalue()
