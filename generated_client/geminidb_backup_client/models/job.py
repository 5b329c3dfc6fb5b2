from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.job_status import JobStatus, check_job_status

if TYPE_CHECKING:
    from ..models.job_instance import JobInstance


T = TypeVar("T", bound="Job")


@_attrs_define
class Job:
    """An asynchronous task."""

    id: str
    """ Task ID. """
    name: str
    """ Task name: `BackupInstance` for a backup, `RestoreNewInstance` for a restore to a new
    instance, `CreateInstance` for a creation without `restore_info`, `DeleteInstance`
    for the deletion of an instance. **Decision**: the names of the restore and creation
    tasks are the service's (the SDK and the console show them); the deletion task's name
    is not documented, and `DeleteInstance` (the operation's name) is used.
     """
    status: JobStatus
    """ Status of a task. """
    start_time: str
    """ A time as `yyyy-mm-ddThh:mm:ssZ`, where `Z` is the UTC offset as `+hhmm`/`-hhmm` (no colon, at most 14
    hours)
    or the letter `Z`, for example `2019-05-27T03:38:51+0000`. Not RFC 3339.
     """
    end_time: str
    """ A time as in `Timestamp`, or the empty string while the time is not known yet (the end of
    a task or backup that is still running).
     """
    progress: str
    """ Progress of a `Running` task as a percentage such as `60%`; empty once the task has ended. """
    instance: JobInstance
    """ The instance a task works on. """
    fail_reason: str
    """ Why a `Failed` task failed; empty otherwise. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        status: str = self.status

        start_time = self.start_time

        end_time = self.end_time

        progress = self.progress

        instance = self.instance.to_dict()

        fail_reason = self.fail_reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "status": status,
                "start_time": start_time,
                "end_time": end_time,
                "progress": progress,
                "instance": instance,
                "fail_reason": fail_reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.job_instance import JobInstance

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        status = check_job_status(d.pop("status"))

        start_time = d.pop("start_time")

        end_time = d.pop("end_time")

        progress = d.pop("progress")

        instance = JobInstance.from_dict(d.pop("instance"))

        fail_reason = d.pop("fail_reason")

        job = cls(
            id=id,
            name=name,
            status=status,
            start_time=start_time,
            end_time=end_time,
            progress=progress,
            instance=instance,
            fail_reason=fail_reason,
        )

        job.additional_properties = d
        return job

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
