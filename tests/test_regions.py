"""Regions and endpoints: the endpoints come from a table checked against the official SDK's, not from a
pattern; an unknown region is a clear error naming the known ones and --endpoint; IAM alike.
Half-given credentials are named as such; https to a plain-HTTP server says "did you mean
http://"."""

from __future__ import annotations

import asyncio

import pytest
from fake_api import PROJECT_ID, TOKEN, FakeServer
from huaweicloudsdkgaussdbfornosql.v3.region.gaussdbfornosql_region import GaussDBforNoSQLRegion
from test_cli import run

from geminidb_backup.auth import TokenAuth
from geminidb_backup.client import AsyncBackupClient, BackupClient
from geminidb_backup.config import resolve
from geminidb_backup.errors import ConfigurationError, TransportError
from geminidb_backup.regions import (
    ENDPOINTS,
    T_CLOUD_REGIONS,
    endpoint_for_region,
    iam_url_for_region,
)
from geminidb_backup.timing import FakeClock


def test_huawei_regions_are_the_official_sdks() -> None:
    sdk = {
        region: entry.endpoints[0] for region, entry in GaussDBforNoSQLRegion.static_fields.items()
    }
    ours = {region: f"https://{host}" for region, host in ENDPOINTS.items()
            if region not in T_CLOUD_REGIONS}  # fmt: skip
    assert ours == sdk
    assert len(sdk) == 27


def test_eu_west_101_is_under_myhuaweicloud_eu() -> None:
    assert resolve(environ={}, region="eu-west-101").base_url() == (
        "https://gaussdb-nosql.eu-west-101.myhuaweicloud.eu")  # fmt: skip
    assert iam_url_for_region("eu-west-101") == "https://iam.eu-west-101.myhuaweicloud.eu/v3"
    assert iam_url_for_region("ap-southeast-1") == "https://iam.ap-southeast-1.myhuaweicloud.com/v3"
    assert iam_url_for_region("eu-de") == "https://iam.eu-de.otc.t-systems.com/v3"


@pytest.mark.parametrize("region", ["eu-nl", "eu-ch2", "eu-west-1", "mars-1"])
def test_an_unknown_region_names_the_known_ones_and_endpoint(region: str) -> None:
    for find in (endpoint_for_region, iam_url_for_region,
                 lambda r: resolve(environ={}, region=r).base_url()):  # fmt: skip
        with pytest.raises(ConfigurationError) as caught:
            find(region)
        message = str(caught.value)
        assert repr(region) in message and "--endpoint" in message
        assert "eu-de" in message and "eu-west-101" in message


def test_the_cli_refuses_an_unknown_region_with_exit_2() -> None:
    result = run(
        None, "--region", "eu-nl", "--project-id", "p", "list", env={"GEMINIDB_TOKEN": "t"}
    )
    assert result.returncode == 2
    assert "region 'eu-nl'" in result.stderr and "--endpoint" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("environ", "said"),
    [
        ({"GEMINIDB_ACCESS_KEY": "AK"}, "an access key is given without its secret key: set GEMINIDB_SECRET_KEY"),
        ({"GEMINIDB_SECRET_KEY": "SK"}, "a secret key is given without its access key: set GEMINIDB_ACCESS_KEY"),
        ({"OS_USERNAME": "me"}, "a user name is given without its password: set OS_PASSWORD"),
    ],
)  # fmt: skip
def test_a_half_given_credential_is_named(environ: dict[str, str], said: str) -> None:
    settings = resolve(
        environ={"GEMINIDB_ENDPOINT": "http://x", "GEMINIDB_PROJECT_ID": "p", **environ}
    )
    assert said in settings.missing(cli=True)
    result = run(None, "list", env={"GEMINIDB_ENDPOINT": "http://127.0.0.1:9",
                                    "GEMINIDB_PROJECT_ID": "p", **environ})  # fmt: skip
    assert result.returncode == 2 and said in result.stderr
    assert "SK" not in result.stderr.replace("SECRET_KEY", "").replace("ACCESS_KEY", "")


def test_https_to_a_plain_http_server_says_did_you_mean_http(fake_api: FakeServer) -> None:
    host = fake_api.url.removeprefix("http://")
    clock = FakeClock()

    async def list_backups() -> None:
        async with AsyncBackupClient(host, PROJECT_ID, TokenAuth(TOKEN), clock=clock) as api:
            await api.list_backups()

    with pytest.raises(TransportError) as caught:
        asyncio.run(list_backups())
    assert f"did you mean http://{host}?" in str(caught.value)
    assert clock.slept == []  # not tried again: it cannot help
    api = BackupClient(host, PROJECT_ID, TokenAuth(TOKEN), clock=clock)
    with api, pytest.raises(TransportError, match="did you mean http://"):
        api.list_backups()
    assert clock.slept == []
