"""Production on several machines (issue 17): with MULTI_MACHINE=1 a local evidence store refuses to start, since each
web machine would keep the files it received on its own disk."""

import pytest

from app import ConfigurationError, create_app

PRODUCTION = {"APP_ENV": "production", "SECRET_KEY": "k" * 32, "REDIS_URL": None}


@pytest.mark.parametrize("storage_url", [None, "", "file:///srv/theodoi/evidence"])
def test_several_machines_refuse_a_local_store(storage_url):
    with pytest.raises(ConfigurationError, match="MULTI_MACHINE=1 but the evidence store is a local directory"):
        create_app({**PRODUCTION, "MULTI_MACHINE": True, "STORAGE_URL": storage_url})


def test_several_machines_start_on_the_object_store_with_smtp():
    app = create_app({**PRODUCTION, "MULTI_MACHINE": True, "STORAGE_URL": "s3://evidence/theodoi",
                      "SMTP_HOST": "mail.internal"})
    assert app.config["MULTI_MACHINE"] is True


def test_several_machines_refuse_mail_written_to_one_machines_disk():
    with pytest.raises(ConfigurationError, match="MULTI_MACHINE=1 but SMTP_HOST is unset"):
        create_app({**PRODUCTION, "MULTI_MACHINE": True, "STORAGE_URL": "s3://evidence/theodoi", "SMTP_HOST": None})


def test_one_machine_keeps_its_local_store_and_other_environments_are_not_checked():
    assert create_app({**PRODUCTION, "STORAGE_URL": None}).config["MULTI_MACHINE"] is False
    assert create_app({"APP_ENV": "testing", "MULTI_MACHINE": True, "STORAGE_URL": None})
