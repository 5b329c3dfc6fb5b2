"""The httpx.Auth classes: AK/SK signing agrees with the official SDK's signer on the requests
the facade really sends; tokens and secrets stay out of reprs."""

from __future__ import annotations

from urllib.parse import parse_qsl

import httpx
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from geminidb_backup.auth import AKSKAuth, PasswordAuth, TokenAuth
from geminidb_backup.client import BackupClient

AK, SK = "HPUAEXAMPLEACCESSKEY", "secret/Key+with=odd&chars"
HOST = "gaussdb-nosql.eu-de.otc.t-systems.com"
PROJECT, INSTANCE = "054e292c9880d4992f02c0196d3ea468", "a4d8ea2584e047439a667703c0684119in06"


def sdk_authorization(request: httpx.Request) -> str:
    """The Authorization header huaweicloudsdkcore computes for the same request and date."""
    headers = {"X-Sdk-Date": request.headers["X-Sdk-Date"], "X-Project-Id": PROJECT}
    if "Content-Type" in request.headers:
        headers["Content-Type"] = request.headers["Content-Type"]
    sdk_request = SdkRequest(
        method=request.method,
        schema="https",
        host=HOST,
        resource_path=request.url.path,
        query_params=parse_qsl(request.url.query.decode()),
        header_params=headers,
        body=request.content,
    )
    signed = Signer(BasicCredentials(ak=AK, sk=SK)).sign(sdk_request)
    return str(signed.header_params["Authorization"])


def test_facade_requests_carry_the_signature_the_official_sdk_computes() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.method == "POST":
            return httpx.Response(202, json={"job_id": "j", "backup_id": "b"})
        return httpx.Response(200, json={"total_count": 0, "backups": []})

    api = BackupClient(HOST, PROJECT, AKSKAuth(AK, SK, project_id=PROJECT),
                       transport=httpx.MockTransport(answer))  # fmt: skip
    api.create_backup(INSTANCE, "backup-4f57", "manual backup")
    api.list_backups(
        instance_id=INSTANCE, begin_time="2019-05-27T03:38:51+0000",
        end_time="2019-05-28T00:00:00+0000", backup_type="Manual",
    )  # fmt: skip

    assert len(sent) == 2
    for request in sent:
        assert request.headers["Authorization"] == sdk_authorization(request)
        assert "X-Auth-Token" not in request.headers


def test_reprs_hide_secrets() -> None:
    password = PasswordAuth("https://iam.example/v3", "alice", "pw-secret",
                            user_domain_name="d", project_id="p")  # fmt: skip
    for auth, secret in [(TokenAuth("tok-secret"), "tok-secret"), (password, "pw-secret"),
                         (AKSKAuth(AK, SK), SK)]:  # fmt: skip
        assert secret not in repr(auth)
        assert secret not in repr(BackupClient(HOST, PROJECT, auth))
