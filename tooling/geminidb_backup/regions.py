"""The regions where GeminiDB is offered, and the hosts of their GeminiDB and IAM endpoints.

Huawei Cloud's regions and hosts are those of the official SDK's region table
(``huaweicloudsdkgaussdbfornosql/v3/region/gaussdbfornosql_region.py``; ``tests/test_regions.py``
compares the two), written here because that SDK is no dependency of this package. They follow
no single pattern: ``eu-west-101`` is under ``myhuaweicloud.eu``. T Cloud Public documents
GeminiDB in ``eu-de`` only. A region's IAM is its GeminiDB host with ``iam`` for the service
(as the SDK's IAM region table has it, ``eu-west-101`` included).
"""

from __future__ import annotations

from .errors import ConfigurationError

_SERVICE = "gaussdb-nosql."

# region -> host of its GeminiDB endpoint
ENDPOINTS: dict[str, str] = {
    # T Cloud Public (formerly Open Telekom Cloud)
    "eu-de": "gaussdb-nosql.eu-de.otc.t-systems.com",
    # Huawei Cloud, in the SDK's order
    "af-south-1": "gaussdb-nosql.af-south-1.myhuaweicloud.com",
    "cn-north-4": "gaussdb-nosql.cn-north-4.myhuaweicloud.com",
    "cn-north-1": "gaussdb-nosql.cn-north-1.myhuaweicloud.com",
    "cn-east-2": "gaussdb-nosql.cn-east-2.myhuaweicloud.com",
    "cn-east-3": "gaussdb-nosql.cn-east-3.myhuaweicloud.com",
    "cn-south-1": "gaussdb-nosql.cn-south-1.myhuaweicloud.com",
    "cn-southwest-2": "gaussdb-nosql.cn-southwest-2.myhuaweicloud.com",
    "ap-southeast-2": "gaussdb-nosql.ap-southeast-2.myhuaweicloud.com",
    "ap-southeast-1": "gaussdb-nosql.ap-southeast-1.myhuaweicloud.com",
    "ap-southeast-3": "gaussdb-nosql.ap-southeast-3.myhuaweicloud.com",
    "ap-southeast-4": "gaussdb-nosql.ap-southeast-4.myhuaweicloud.com",
    "ap-southeast-5": "gaussdb-nosql.ap-southeast-5.myhuaweicloud.com",
    "me-east-1": "gaussdb-nosql.me-east-1.myhuaweicloud.com",
    "cn-east-4": "gaussdb-nosql.cn-east-4.myhuaweicloud.com",
    "cn-south-4": "gaussdb-nosql.cn-south-4.myhuaweicloud.com",
    "cn-southwest-3": "gaussdb-nosql.cn-southwest-3.myhuaweicloud.com",
    "tr-west-1": "gaussdb-nosql.tr-west-1.myhuaweicloud.com",
    "ru-northwest-2": "gaussdb-nosql.ru-northwest-2.myhuaweicloud.com",
    "cn-south-2": "gaussdb-nosql.cn-south-2.myhuaweicloud.com",
    "cn-north-2": "gaussdb-nosql.cn-north-2.myhuaweicloud.com",
    "la-north-2": "gaussdb-nosql.la-north-2.myhuaweicloud.com",
    "sa-brazil-1": "gaussdb-nosql.sa-brazil-1.myhuaweicloud.com",
    "la-south-2": "gaussdb-nosql.la-south-2.myhuaweicloud.com",
    "cn-north-9": "gaussdb-nosql.cn-north-9.myhuaweicloud.com",
    "eu-west-101": "gaussdb-nosql.eu-west-101.myhuaweicloud.eu",
    "cn-north-11": "gaussdb-nosql.cn-north-11.myhuaweicloud.com",
    "ru-moscow-1": "gaussdb-nosql.ru-moscow-1.myhuaweicloud.com",
}
T_CLOUD_REGIONS = frozenset({"eu-de"})


def endpoint_for_region(region: str) -> str:
    """The host of a region's GeminiDB endpoint; :class:`ConfigurationError` for a region
    where GeminiDB is not known to be offered."""
    try:
        return ENDPOINTS[region]
    except KeyError:
        raise ConfigurationError(
            f"GeminiDB has no known endpoint in region {region!r}; the regions known: "
            f"{', '.join(sorted(ENDPOINTS))}. For another endpoint, give it with --endpoint "
            "(GEMINIDB_ENDPOINT, or endpoint= in Python)"
        ) from None


def iam_url_for_region(region: str) -> str:
    """The Keystone v3 URL of a region's IAM (same errors as :func:`endpoint_for_region`)."""
    return f"https://iam.{endpoint_for_region(region).removeprefix(_SERVICE)}/v3"
