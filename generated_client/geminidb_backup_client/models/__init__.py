"""Contains all the data models used in inputs/outputs"""

from .backup import Backup
from .backup_level import BackupLevel
from .backup_policy import BackupPolicy
from .backup_policy_with_intervals import BackupPolicyWithIntervals
from .backup_status import BackupStatus
from .backup_type import BackupType
from .batch_delete_backups_request import BatchDeleteBackupsRequest
from .create_backup_request import CreateBackupRequest
from .create_backup_response import CreateBackupResponse
from .database_table import DatabaseTable
from .datastore import Datastore
from .datastore_type import DatastoreType
from .delete_backup_response import DeleteBackupResponse
from .error import Error
from .job import Job
from .job_instance import JobInstance
from .job_page_size import JobPageSize
from .job_status import JobStatus
from .list_backups_response import ListBackupsResponse
from .list_jobs_response import ListJobsResponse
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
    "BackupType",
    "BatchDeleteBackupsRequest",
    "CreateBackupRequest",
    "CreateBackupResponse",
    "DatabaseTable",
    "Datastore",
    "DatastoreType",
    "DeleteBackupResponse",
    "Error",
    "Job",
    "JobInstance",
    "JobPageSize",
    "JobStatus",
    "ListBackupsResponse",
    "ListJobsResponse",
    "SetBackupPolicyRequest",
    "ShowBackupPoliciesResponse",
    "ShowBackupPolicyResponse",
    "StopBackupRequest",
    "StopBackupRequestAction",
    "StopBackupResponse",
)
