"""Contains all the data models used in inputs/outputs"""

from .backup import Backup
from .backup_level import BackupLevel
from .backup_status import BackupStatus
from .backup_type import BackupType
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

__all__ = (
    "Backup",
    "BackupLevel",
    "BackupStatus",
    "BackupType",
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
)
