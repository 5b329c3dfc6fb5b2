"""Contains all the data models used in inputs/outputs"""

from .backup import Backup
from .backup_level import BackupLevel
from .backup_policy import BackupPolicy
from .backup_policy_with_intervals import BackupPolicyWithIntervals
from .backup_status import BackupStatus
from .backup_strategy_option import BackupStrategyOption
from .backup_type import BackupType
from .batch_delete_backups_request import BatchDeleteBackupsRequest
from .charge_info import ChargeInfo
from .charge_info_charge_mode import ChargeInfoChargeMode
from .create_backup_request import CreateBackupRequest
from .create_backup_response import CreateBackupResponse
from .create_instance_datastore import CreateInstanceDatastore
from .create_instance_datastore_storage_engine import (
    CreateInstanceDatastoreStorageEngine,
)
from .create_instance_flavor_result import CreateInstanceFlavorResult
from .create_instance_request import CreateInstanceRequest
from .create_instance_request_ssl_option import CreateInstanceRequestSslOption
from .create_instance_response import CreateInstanceResponse
from .create_instance_response_backup_strategy import (
    CreateInstanceResponseBackupStrategy,
)
from .create_instance_response_charge_info import CreateInstanceResponseChargeInfo
from .create_instance_response_datastore import CreateInstanceResponseDatastore
from .create_instance_response_status import CreateInstanceResponseStatus
from .database_table import DatabaseTable
from .datastore import Datastore
from .datastore_type import DatastoreType
from .delete_backup_response import DeleteBackupResponse
from .delete_instance_response import DeleteInstanceResponse
from .error import Error
from .instance import Instance
from .instance_backup_strategy import InstanceBackupStrategy
from .instance_datastore import InstanceDatastore
from .instance_flavor import InstanceFlavor
from .instance_flavor_storage import InstanceFlavorStorage
from .instance_group import InstanceGroup
from .instance_mode import InstanceMode
from .instance_node import InstanceNode
from .instance_pay_mode import InstancePayMode
from .instance_status import InstanceStatus
from .instance_volume import InstanceVolume
from .job import Job
from .job_instance import JobInstance
from .job_page_size import JobPageSize
from .job_status import JobStatus
from .list_backups_response import ListBackupsResponse
from .list_instances_response import ListInstancesResponse
from .list_jobs_response import ListJobsResponse
from .list_restorable_time_periods_response import ListRestorableTimePeriodsResponse
from .restorable_time_period import RestorableTimePeriod
from .restore_info import RestoreInfo
from .set_backup_policy_request import SetBackupPolicyRequest
from .show_backup_policies_response import ShowBackupPoliciesResponse
from .show_backup_policy_response import ShowBackupPolicyResponse
from .stop_backup_request import StopBackupRequest
from .stop_backup_request_action import StopBackupRequestAction
from .stop_backup_response import StopBackupResponse

__all__ = (
    "Backup",
    "BackupLevel",
    "BackupPolicy",
    "BackupPolicyWithIntervals",
    "BackupStatus",
    "BackupStrategyOption",
    "BackupType",
    "BatchDeleteBackupsRequest",
    "ChargeInfo",
    "ChargeInfoChargeMode",
    "CreateBackupRequest",
    "CreateBackupResponse",
    "CreateInstanceDatastore",
    "CreateInstanceDatastoreStorageEngine",
    "CreateInstanceFlavorResult",
    "CreateInstanceRequest",
    "CreateInstanceRequestSslOption",
    "CreateInstanceResponse",
    "CreateInstanceResponseBackupStrategy",
    "CreateInstanceResponseChargeInfo",
    "CreateInstanceResponseDatastore",
    "CreateInstanceResponseStatus",
    "DatabaseTable",
    "Datastore",
    "DatastoreType",
    "DeleteBackupResponse",
    "DeleteInstanceResponse",
    "Error",
    "Instance",
    "InstanceBackupStrategy",
    "InstanceDatastore",
    "InstanceFlavor",
    "InstanceFlavorStorage",
    "InstanceGroup",
    "InstanceMode",
    "InstanceNode",
    "InstancePayMode",
    "InstanceStatus",
    "InstanceVolume",
    "Job",
    "JobInstance",
    "JobPageSize",
    "JobStatus",
    "ListBackupsResponse",
    "ListInstancesResponse",
    "ListJobsResponse",
    "ListRestorableTimePeriodsResponse",
    "RestorableTimePeriod",
    "RestoreInfo",
    "SetBackupPolicyRequest",
    "ShowBackupPoliciesResponse",
    "ShowBackupPolicyResponse",
    "StopBackupRequest",
    "StopBackupRequestAction",
    "StopBackupResponse",
)
