"""What every permission-matrix test shares: the six roles, and what an allowed or refused answer is."""

from urllib.parse import quote

from django.urls import reverse

ROLES = ["visitor", "volunteer", "other_org_member", "own_member", "own_admin", "coordinator"]

LOGIN = "login"  # a redirect to the login page


def cases(matrix: dict) -> list[tuple]:
    """(view, role, expected answer) for every cell of a matrix of rows in ROLES order."""
    return [(view, role, expected) for view, row in matrix.items() for role, expected in zip(ROLES, row, strict=True)]


def assert_answer(response, url: str, expected, *, changed=None, world=None) -> None:
    """The answer is the expected one, and a refused request changed nothing (when `changed` can tell)."""
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"
    else:
        assert response.status_code == expected
        if expected == 302:
            assert not response["Location"].startswith(reverse("account_login"))
    if changed is not None:
        assert changed(world) is (expected == 302), "a refused request must change nothing"
