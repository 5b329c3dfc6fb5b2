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
from .instance import Instance
from .instance_backup_strategy import InstanceBackupStrategy
from .instance_datastore import InstanceDatastore
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
    "Instance",
    "InstanceBackupStrategy",
    "InstanceDatastore",
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
)
