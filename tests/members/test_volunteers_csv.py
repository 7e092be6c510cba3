"""Reading a CSV of volunteers: pure parsing, without a database."""

import pytest

from members import csv_import
from members.csv_import import CsvFileError, Lookups, parse, read_upload
from tests.factories_volunteers import HEADER, csv_text, csv_upload, volunteer_row

LOOKUPS = Lookups(
    municipalities={"eindhoven": 1, "veldhoven": 2, "best": 3},
    skills={"data-analysis": 10, "data-analyse": 10, "data analysis": 10, "communication": 11, "communicatie": 11},
    languages={"nl": 20, "nederlands": 20, "dutch": 20, "en": 21, "engels": 21, "english": 21, "uk": 22},
)


def rows_of(text):
    return parse(text, lookups=LOOKUPS).rows


def problems(row):
    return [(error.column, error.message) for error in row.errors]


@pytest.mark.parametrize("delimiter", [";", ","])
@pytest.mark.parametrize("bom", [True, False])
def test_semicolon_or_comma_with_or_without_bom_read_the_same(delimiter, bom):
    text = csv_text([volunteer_row(1), volunteer_row(2)], delimiter=delimiter, bom=bom)

    parsed = parse(text, lookups=LOOKUPS)

    assert parsed.delimiter == delimiter
    assert parsed.error_count == 0
    first = parsed.rows[0]
    assert (first.number, first.email, first.full_name) == (2, "collega1@asml.example", "Collega 1")
    assert first.municipality_id == 2
    assert first.skills == {10: 3, 11: 2}
    assert first.language_ids == [20, 21]
    assert (first.hours_per_month, first.travel_km, first.remote_ok) == (8, 20, True)
    assert first.availability == {"evenings", "weekends"}


def test_a_bom_is_stripped_from_the_bytes_of_an_upload():
    upload = csv_upload(csv_text([volunteer_row(1)], bom=True))

    text = read_upload(upload)

    assert not text.startswith("\ufeff")
    assert parse(text, lookups=LOOKUPS).rows[0].email == "collega1@asml.example"


def test_commas_inside_a_quoted_cell_of_a_comma_file_separate_skills():
    text = csv_text([volunteer_row(1, skills="Data-analyse, communication:basic")], delimiter=",")

    [row] = rows_of(text)

    assert row.skills == {10: 2, 11: 1}
    assert row.errors == []


def test_dutch_column_names_and_values_are_understood():
    header = ["E-mailadres", "Naam", "Gemeente", "Vaardigheden", "Talen", "Uren per maand", "Reisafstand", "Op afstand",
              "Beschikbaarheid"]  # fmt: skip
    text = "\n".join([";".join(header), "an@example.nl;An de Vries;eindhoven;Communicatie;Nederlands;4;10;nee;avonden"])

    [row] = rows_of(text)

    assert row.errors == []
    assert (row.email, row.municipality_id, row.skills, row.language_ids) == ("an@example.nl", 1, {11: 2}, [20])
    assert (row.remote_ok, row.availability) == (False, {"evenings"})


def test_every_problem_of_a_row_is_listed_with_its_column():
    text = csv_text(
        [
            volunteer_row(
                1,
                email="geen-adres",
                municipality="Amsterdam",
                skills="data-analysis:guru|breien",
                languages="nl|klingon",
                hours_per_month="veel",
                travel_km="500",
                remote="misschien",
                availability="nachts",
            )
        ]
    )

    [row] = rows_of(text)

    assert [column for column, _message in problems(row)] == [
        "email",
        "municipality",
        "skills",
        "skills",
        "languages",
        "hours_per_month",
        "travel_km",
        "remote",
        "availability",
    ]
    assert "“Amsterdam” is not a municipality in the Brainport region." in dict(problems(row)).values()


def test_missing_email_and_name_are_problems_of_that_row_only():
    text = csv_text([volunteer_row(1), volunteer_row(2, email="", full_name=""), volunteer_row(3)])

    rows = rows_of(text)

    assert [row.number for row in rows if row.errors] == [3]
    assert problems(rows[1]) == [("email", "The email address is missing."), ("full_name", "The name is missing.")]


def test_the_same_person_twice_is_a_problem_on_the_second_line():
    text = csv_text([volunteer_row(1), volunteer_row(2), volunteer_row(1, email="COLLEGA1@asml.example")])

    rows = rows_of(text)

    assert rows[0].errors == []
    assert problems(rows[2]) == [("email", "collega1@asml.example is also on line 2; each person may appear once.")]


def test_empty_cells_mean_unchanged_and_empty_lines_are_skipped():
    text = csv_text([volunteer_row(1, municipality="", skills="", languages="", remote="", availability="")])
    text += ";;;;;;;;\r\n\r\n"

    [row] = rows_of(text)

    assert row.errors == []
    assert row.municipality_id is row.skills is row.language_ids is row.remote_ok is row.availability is None


def test_only_email_and_full_name_are_required_columns():
    [row] = rows_of("email,full_name\nan@example.nl,An\n")
    assert row.errors == [] and row.hours_per_month is None

    with pytest.raises(CsvFileError, match="full_name"):
        parse("email;name_of_person\nan@example.nl;An\n", lookups=LOOKUPS)


def test_unknown_columns_are_refused_before_any_row_is_read():
    with pytest.raises(CsvFileError, match="Unknown columns: shoe_size"):
        parse(";".join([*HEADER, "shoe_size"]) + "\n", lookups=LOOKUPS)


@pytest.mark.parametrize("text", ["", "\ufeff", "\n\n"])
def test_an_empty_file_is_refused(text):
    with pytest.raises(CsvFileError, match="empty"):
        parse(text, lookups=LOOKUPS)


def test_more_rows_than_the_limit_are_refused(monkeypatch):
    monkeypatch.setattr(csv_import, "MAX_ROWS", 3)

    assert len(rows_of(csv_text([volunteer_row(n) for n in range(3)]))) == 3
    with pytest.raises(CsvFileError, match="more than 3 rows"):
        parse(csv_text([volunteer_row(n) for n in range(4)]), lookups=LOOKUPS)


def test_an_oversized_file_is_refused_before_it_is_read():
    upload = csv_upload("email;full_name\n" + "x" * csv_import.MAX_BYTES)

    with pytest.raises(CsvFileError, match="too large"):
        read_upload(upload)


@pytest.mark.parametrize(
    ("name", "content_type", "data"),
    [
        ("vrijwilligers.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
        ("vrijwilligers.pdf", "application/pdf", b"%PDF-1.7"),
        ("vrijwilligers.csv", "image/png", b"\x89PNG"),
        ("vrijwilligers.csv", "application/vnd.ms-excel", b"PK\x03\x04\x14\x00\x06\x00\x00\x00"),
        ("vrijwilligers.csv", "text/csv", "email;full_name\n".encode("utf-16")),
    ],
)
def test_files_that_are_not_csv_are_refused(name, content_type, data):
    with pytest.raises(CsvFileError, match="not a CSV file"):
        read_upload(csv_upload(data, name=name, content_type=content_type))


def test_a_file_not_in_utf8_is_refused_with_advice():
    upload = csv_upload("email;full_name\nrene@example.nl;René Müller\n", encoding="cp1252")

    with pytest.raises(CsvFileError, match="CSV UTF-8"):
        read_upload(upload)


def test_excel_on_windows_sends_csv_as_an_excel_type_and_that_is_accepted():
    upload = csv_upload("email;full_name\nan@example.nl;An\n", content_type="application/vnd.ms-excel")

    assert read_upload(upload).startswith("email;full_name")


def test_the_example_file_parses_without_problems():
    lookups = Lookups(
        municipalities={"eindhoven": 1, "veldhoven": 2},
        skills={"data-analysis": 10, "communicatie": 11, "machine learning en ai": 12, "projectmanagement": 13},
        languages={"nl": 20, "en": 21, "de": 22},
    )

    parsed = parse(csv_import.decode(csv_import.example_csv().encode()), lookups=lookups)

    assert parsed.delimiter == ";"
    assert len(parsed.rows) == 2
    assert parsed.error_count == 0
