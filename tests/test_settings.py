"""The production settings refuse to start insecurely and pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "MFA_ENCRYPTION_KEY"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_production_without_secret_key_refuses_to_start():
    result = manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-0123456789",
    "ALLOWED_HOSTS": "portal.example.org",
    "MFA_ENCRYPTION_KEY": "Wn9ZJx3q4KQ0Gd7n3b6l1T3l9hE8vYc2m5Xq1s0aP4o=",
}


def test_production_settings_pass_the_deployment_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_without_a_key_for_two_factor_secrets_fails_the_checks_and_says_how_to_make_one():
    result = manage("check", "--deploy", **{**PRODUCTION, "MFA_ENCRYPTION_KEY": ""})

    assert result.returncode != 0
    assert "MFA_ENCRYPTION_KEY must be set when DEBUG is false" in result.stderr
    assert "Fernet.generate_key()" in result.stderr


def test_a_malformed_key_for_two_factor_secrets_is_refused_without_showing_it():
    result = manage("check", **{**PRODUCTION, "MFA_ENCRYPTION_KEY": f"{PRODUCTION['MFA_ENCRYPTION_KEY']},not-a-key"})

    assert result.returncode != 0
    assert "must be a Fernet key" in result.stderr
    assert "not-a-key" not in result.stderr


def test_pages_carry_a_nonce_based_content_security_policy(client, db):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()
