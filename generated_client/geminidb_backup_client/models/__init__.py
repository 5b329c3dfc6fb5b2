"""Contains all the data models used in inputs/outputs"""

from .backup import Backup
from .backup_status import BackupStatus
from .backup_type import BackupType
from .create_backup_request import CreateBackupRequest
from .create_backup_response import CreateBackupResponse
from .database_table import DatabaseTable
from .datastore import Datastore
from .delete_backup_response import DeleteBackupResponse
from .error import Error
from .job import Job
from .job_instance import JobInstance
from .job_status import JobStatus
from .list_backups_datastore_type import ListBackupsDatastoreType
from .list_backups_response import ListBackupsResponse
from .list_backups_type import ListBackupsType
from .list_jobs_limit import ListJobsLimit
from .list_jobs_response import ListJobsResponse

__all__ = (
    "Backup",
    "BackupStatus",
    "BackupType",
    "CreateBackupRequest",
    "CreateBackupResponse",
    "DatabaseTable",
    "Datastore",
    "DeleteBackupResponse",
    "Error",
    "Job",
    "JobInstance",
    "JobStatus",
    "ListBackupsDatastoreType",
    "ListBackupsResponse",
    "ListBackupsType",
    "ListJobsLimit",
    "ListJobsResponse",
)
