"""Settings: a production app refuses to start without a real secret."""
import pytest

from register import create_app
from register.config import ConfigError, from_environment


@pytest.mark.parametrize("secret", [None, "", "changeme", "dev"])
def test_production_refuses_missing_or_placeholder_secret(secret, tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"ENV": "production", "SECRET_KEY": secret, "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite"})


def test_development_starts_without_a_secret(tmp_path):
    app = create_app({"ENV": "development", "SECRET_KEY": None, "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite"})
    assert app.config["SECRET_KEY"]


def test_settings_come_from_prefixed_environment_variables():
    found = from_environment({"STADSREGISTER_DATABASE_URL": "postgresql://x/y", "STADSREGISTER_PAGE_SIZE": "50",
                              "OTHER": "ignored"})
    assert found == {"DATABASE_URL": "postgresql://x/y", "PAGE_SIZE": 50}


def test_unknown_environment_name_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="production, development or testing"):
        create_app({"ENV": "staging", "SECRET_KEY": "x" * 40, "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite"})
