"""Tag semantics of the fake: initial tag, CRUD, upsize, arithmetic, filenames and exports.

Guesses about the real service made here (NOTES.md 7.x marks them unspecified or inferred):

* The initial tag holds every sample, is named ``initial-tag`` unless a name is given, has
  ``prevTagId: null`` and can be created once (409 ``TAG_INITIAL_EXISTS``); it may be created
  on an empty dataset.
* ``POST /tags`` checks the name (pattern, min 3; 400), uniqueness (409 ``TAG_NAME_EXISTS``),
  that ``prevTagId``/``queryTagId``/``preselectedTagId`` are tags of the dataset (400
  ``TAG_*_NOT_IN_DATASET``), ``0 <= totSize <= dataset size`` and no bit at or beyond
  ``totSize`` (400 ``MALFORMED_REQUEST``).
* ``DELETE`` refuses the initial tag (400 ``TAG_UNDELETABLE_IS_INITIAL``) and any tag another
  tag names as ``prevTagId``, ``queryTagId`` or ``preselectedTagId`` (400
  ``TAG_UNDELETABLE_NOT_A_LEAF``).
* Upsize needs the initial tag (400 ``TAG_NO_TAG_IN_DATASET``). It creates the named tag with
  exactly the samples beyond the initial tag's ``totSize`` (possibly none), ``prevTagId`` the
  initial tag and ``changes: {"upsize": {"from": old, "to": new}}``; then every tag's
  ``totSize`` becomes the dataset size and the initial tag grows to hold every sample.
* Arithmetic works on masks of different ``totSize`` (the larger one wins). With
  ``newTagName``, ``/arithmetics`` creates a tag whose ``prevTagId`` is ``tagId1`` and
  answers ``{id}``; without, ``{bitMaskData}``.
* ``filenames`` are in sample order. Exports list the tag's samples in sample order; the
  LabelBox ``externalId`` is the file name; the LabelStudio task ``id`` is the sample index;
  ``previewExample=true`` exports only the first sample; ``accessControl`` other than
  ``default`` is 404 ``ACCESS_CONTROL_UNKNOWN``; ``expiresIn`` bounds the signed URLs.
* ``export/basic/filenames`` answers ``text/plain``: one line per file of the tag in sample
  order, joined by ``\n`` with no trailing newline (an empty page is an empty body), paged
  by ``pageSize``/``pageOffset`` in both dialects (absent: every file). ``fileNameFormat``
  ``NAME`` (default) writes the file name, ``REDIRECTED_READ_URL`` the signed URL of the
  sample's file, ``DATASOURCE_FULL`` the datasource's ``fullPath`` joined with the file name
  behind the scheme of its type (``s3://``, ``gs://``, ``azure://``, ``obs://``,
  ``local://``, ``lightly://``; ``lightly://<datasetId>/`` without a datasource).
* The Sama export's task ``data.id`` is the sample index, ``url`` and ``image`` the signed
  URL, ``lightlyFileName`` the file name, ``lightlyMetaInfo`` absent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import attrs
from starlette.responses import PlainTextResponse

from lightly_async import _operations as op
from lightly_async._constraints import TAG_CREATORS, TAG_CREATORS_LATEST, TAG_NAME, OneOf
from lightly_async._convert import get_converter
from lightly_async.bitmask import BitMask
from lightly_async.models import (
    CreateEntityResponse,
    InitialTagCreateRequest,
    LabelBoxDataRow,
    LabelBoxV4DataRow,
    LabelStudioTask,
    LabelStudioTaskData,
    SamaTask,
    SamaTaskData,
    TagArithmeticsRequest,
    TagBitMaskResponse,
    TagCreateRequest,
    TagData,
    TagUpdateRequest,
    TagUpsizeRequest,
)
from lightly_async.models.tags import TagArithmeticsOperation
from lightly_async.testing._context import OperationRoute, RequestContext
from lightly_async.testing._latest import tag_json
from lightly_async.testing._state import (
    Dataset,
    FakeApiError,
    Sample,
    Tag,
    User,
    check,
    check_object_id,
    sample_blob_key,
    sample_v2,
)

if TYPE_CHECKING:
    from lightly_async.testing._store import FakeStore

__all__ = [
    "INITIAL_TAG_NAME",
    "ROUTES",
    "ExportOptions",
    "TagOps",
    "check_creator",
    "check_tag_name",
    "tag_data",
]

INITIAL_TAG_NAME = "initial-tag"


class TagOps:
    """The Tags API over a :class:`FakeStore`."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    def list_tags(self, user: User, dataset_id: str) -> list[Any]:
        """``GET /v1/datasets/{id}/tags`` in creation order."""
        dataset = self._store.dataset(user, dataset_id)
        return [self.view(dataset, t) for t in dataset.tags.values()]

    def get_tag(self, user: User, dataset_id: str, tag_id: str) -> Any:
        """``GET .../tags/{tagId}``."""
        dataset = self._store.dataset(user, dataset_id)
        return self.view(dataset, dataset.tag(tag_id))

    def view(self, dataset: Dataset, tag: Tag) -> Any:
        """The tag as answered: ``TagData``, or in the newest shape with ``api="latest"``."""
        seed = tag_data(dataset, tag)
        if not self._store.latest:
            return seed
        return tag_json(get_converter().unstructure(seed), tag.history, tag.run_id)

    def create_initial(
        self, user: User, dataset_id: str, body: InitialTagCreateRequest
    ) -> CreateEntityResponse:
        """``POST .../tags/initial``: the tag holding every sample."""
        dataset = self._store.dataset(user, dataset_id)
        if body.img_type not in ("full", "thumbnail", "meta"):
            raise FakeApiError.of("MALFORMED_REQUEST", f"unknown imgType {body.img_type!r}")
        name = check_tag_name(body.name) if body.name is not None else INITIAL_TAG_NAME
        run_id = self._run_id(body)
        if dataset.initial_tag() is not None:
            raise FakeApiError.of("TAG_INITIAL_EXISTS", "the dataset already has an initial tag")
        self._check_unique(dataset, name)
        n = len(dataset.samples)
        tag = self.add(
            dataset,
            name=name,
            prev_tag_id=None,
            bit_mask=BitMask.full(n),
            tot_size=n,
            creator=self._creator(body.creator),
            entry={"initial": {} if run_id is None else {"runId": run_id}},
            user_id=user.id,
            run_id=run_id,
        )
        tag.is_initial = True
        return CreateEntityResponse(id=tag.id)

    def create_tag(
        self, user: User, dataset_id: str, body: TagCreateRequest
    ) -> CreateEntityResponse:
        """``POST .../tags``."""
        dataset = self._store.dataset(user, dataset_id)
        name = check_tag_name(body.name)
        dataset.tag(body.prev_tag_id, "TAG_PREVTAG_NOT_IN_DATASET")
        if body.query_tag_id is not None:
            dataset.tag(body.query_tag_id, "TAG_QUERYTAG_NOT_IN_DATASET")
        if body.preselected_tag_id is not None:
            dataset.tag(body.preselected_tag_id, "TAG_PRESELECTEDTAG_NOT_IN_DATASET")
        if not 0 <= body.tot_size <= len(dataset.samples):
            raise FakeApiError.of(
                "MALFORMED_REQUEST",
                f"totSize {body.tot_size} must be in 0..{len(dataset.samples)} (dataset size)",
            )
        if not body.bit_mask_data.fits(body.tot_size):
            raise FakeApiError.of(
                "MALFORMED_REQUEST", f"bitMaskData has bits at or beyond totSize {body.tot_size}"
            )
        run_id = self._run_id(body)
        self._check_unique(dataset, name)
        tag = self.add(
            dataset,
            name=name,
            prev_tag_id=body.prev_tag_id,
            bit_mask=body.bit_mask_data,
            tot_size=body.tot_size,
            creator=self._creator(body.creator),
            query_tag_id=body.query_tag_id,
            preselected_tag_id=body.preselected_tag_id,
            changes=body.changes,
            entry=body.changes,
            user_id=user.id,
            run_id=run_id,
        )
        return CreateEntityResponse(id=tag.id)

    def update_tag(self, user: User, dataset_id: str, tag_id: str, body: TagUpdateRequest) -> None:
        """``PUT .../tags/{tagId}``: rename; newest API: also ``bitMaskData``, ``updateCreator``."""
        dataset = self._store.dataset(user, dataset_id)
        tag = dataset.tag(tag_id)
        name = check_tag_name(body.name)
        if name != tag.name:
            self._check_unique(dataset, name)
        mask: BitMask | None = getattr(body, "bit_mask_data", None)
        if mask is not None and not mask.fits(tag.tot_size):
            raise FakeApiError.of(
                "MALFORMED_REQUEST", f"bitMaskData has bits at or beyond totSize {tag.tot_size}"
            )
        creator = self._creator(getattr(body, "update_creator", None))
        changes: dict[str, Any] = dict(getattr(body, "changes", None) or {})
        if name != tag.name:
            changes.setdefault("rename", {"from": tag.name, "to": name})
        if mask is not None and mask != tag.bit_mask:
            changes.setdefault("samples", {
                "method": "selected",
                "count": mask.count(),
                "added": (mask - tag.bit_mask).count(),
                "removed": (tag.bit_mask - mask).count(),
            })
            tag.bit_mask = mask
        tag.name = name
        tag.last_modified_at = self._store.now_ms()
        if changes:
            tag.history.append(_entry(user.id, creator, tag.last_modified_at, changes))

    def delete_tag(self, user: User, dataset_id: str, tag_id: str) -> None:
        """``DELETE .../tags/{tagId}``: leaf tags only, never the initial tag."""
        dataset = self._store.dataset(user, dataset_id)
        tag = dataset.tag(tag_id)
        if tag.is_initial:
            raise FakeApiError.of("TAG_UNDELETABLE_IS_INITIAL", "the initial tag cannot be deleted")
        for other in dataset.tags.values():
            if tag.id in (other.prev_tag_id, other.query_tag_id, other.preselected_tag_id):
                raise FakeApiError.of(
                    "TAG_UNDELETABLE_NOT_A_LEAF", f"tag {other.name!r} depends on {tag.name!r}"
                )
        del dataset.tags[tag.id]

    def upsize(self, user: User, dataset_id: str, body: TagUpsizeRequest) -> CreateEntityResponse:
        """``POST .../tags/upsize``: a tag with the samples added since the initial tag."""
        dataset = self._store.dataset(user, dataset_id)
        name = check_tag_name(body.upsize_tag_name)
        creator = self._creator(body.upsize_tag_creator)
        run_id = self._run_id(body)
        initial = dataset.initial_tag()
        if initial is None:
            raise FakeApiError.of("TAG_NO_TAG_IN_DATASET", "upsize needs the initial tag")
        self._check_unique(dataset, name)
        old, new = initial.tot_size, len(dataset.samples)
        added = BitMask.full(new) - BitMask.full(old)
        for tag in dataset.tags.values():
            tag.tot_size = new
        initial.bit_mask = BitMask.full(new)
        tag = self.add(
            dataset,
            name=name,
            prev_tag_id=initial.id,
            bit_mask=added,
            tot_size=new,
            creator=creator,
            changes={"upsize": {"from": old, "to": new}},
            entry={"upsize": {"from": old, "to": new}
                   | ({} if run_id is None else {"runId": run_id})},
            user_id=user.id,
            run_id=run_id,
        )
        return CreateEntityResponse(id=tag.id)

    def arithmetics(
        self, user: User, dataset_id: str, body: TagArithmeticsRequest, *, create: bool
    ) -> CreateEntityResponse | TagBitMaskResponse:
        """``POST .../tags/arithmetics`` (``create=True``) and ``.../arithmetics/bitmask``."""
        dataset = self._store.dataset(user, dataset_id)
        tag1, tag2 = dataset.tag(body.tag_id1), dataset.tag(body.tag_id2)
        if body.operation == TagArithmeticsOperation.UNION:
            mask = tag1.bit_mask | tag2.bit_mask
        elif body.operation == TagArithmeticsOperation.INTERSECTION:
            mask = tag1.bit_mask & tag2.bit_mask
        elif body.operation == TagArithmeticsOperation.DIFFERENCE:
            mask = tag1.bit_mask - tag2.bit_mask
        else:
            raise FakeApiError.of("MALFORMED_REQUEST", f"unknown operation {body.operation!r}")
        creator = self._creator(body.creator)
        run_id = self._run_id(body)
        if body.new_tag_name is not None:
            name = check_tag_name(body.new_tag_name)
            if create:
                self._check_unique(dataset, name)
                tag = self.add(
                    dataset,
                    name=name,
                    prev_tag_id=tag1.id,
                    bit_mask=mask,
                    tot_size=max(tag1.tot_size, tag2.tot_size),
                    creator=creator,
                    entry={"arithmetics": {"operation": str(getattr(body.operation, "value",
                                                                    body.operation)),
                                           "tag1": tag1.name, "tag2": tag2.name}},
                    user_id=user.id,
                    run_id=run_id,
                )
                return CreateEntityResponse(id=tag.id)
        return TagBitMaskResponse(bit_mask_data=mask)

    def filenames(self, user: User, dataset_id: str, tag_id: str) -> list[str]:
        """``GET .../tags/{tagId}/filenames`` in sample order."""
        dataset = self._store.dataset(user, dataset_id)
        return [s.file_name for s in _samples_of(dataset, dataset.tag(tag_id))]

    def export_label_box(
        self, user: User, dataset_id: str, tag_id: str, options: ExportOptions
    ) -> list[LabelBoxDataRow]:
        """``GET .../export/LabelBoxDataRows`` (seed) or ``.../export/LabelBox/datarows``."""
        dataset, samples = self._export_samples(user, dataset_id, tag_id, options)
        return [
            LabelBoxDataRow(external_id=s.file_name, image_url=self._url(dataset, s, options))
            for s in samples
        ]

    def export_label_box_v4(
        self, user: User, dataset_id: str, tag_id: str, options: ExportOptions
    ) -> list[LabelBoxV4DataRow]:
        """``GET .../export/LabelBoxV4/datarows`` (the newest API)."""
        dataset, samples = self._export_samples(user, dataset_id, tag_id, options)
        return [
            LabelBoxV4DataRow(row_data=self._url(dataset, s, options), global_key=s.file_name,
                              media_type="IMAGE")
            for s in samples
        ]

    def export_label_studio(
        self, user: User, dataset_id: str, tag_id: str, options: ExportOptions
    ) -> list[LabelStudioTask]:
        """``GET .../export/LabelStudioTasks`` (seed) or ``.../export/LabelStudio/tasks``."""
        dataset, samples = self._export_samples(user, dataset_id, tag_id, options)
        return [
            LabelStudioTask(
                id=s.index,
                data=LabelStudioTaskData(
                    image=self._url(dataset, s, options),
                    lightly_file_name=s.file_name,
                    lightly_meta_info=sample_v2(dataset.id, s),
                ),
            )
            for s in samples
        ]

    def export_sama(
        self, user: User, dataset_id: str, tag_id: str, options: ExportOptions
    ) -> list[SamaTask]:
        """``GET .../export/Sama/tasks``."""
        dataset, samples = self._export_samples(user, dataset_id, tag_id, options)
        tasks = []
        for s in samples:
            url = self._url(dataset, s, options)
            tasks.append(SamaTask(data=SamaTaskData(id=s.index, url=url, image=url,
                                                    lightly_file_name=s.file_name)))
        return tasks

    def export_filenames(
        self, user: User, dataset_id: str, tag_id: str, options: ExportOptions, file_format: str
    ) -> str:
        """``GET .../export/basic/filenames``: one line per file in ``file_format``."""
        dataset, samples = self._export_samples(user, dataset_id, tag_id, options)
        if file_format == "REDIRECTED_READ_URL":
            lines = [self._url(dataset, s, options) for s in samples]
        elif file_format == "DATASOURCE_FULL":
            root = _datasource_root(dataset)
            lines = [f"{root}/{s.file_name}" for s in samples]
        else:
            lines = [s.file_name for s in samples]
        return "\n".join(lines)

    # -- helpers shared with samplings ----------------------------------------------------------
    def add(
        self,
        dataset: Dataset,
        *,
        name: str,
        prev_tag_id: str | None,
        bit_mask: BitMask,
        tot_size: int,
        creator: str,
        query_tag_id: str | None = None,
        preselected_tag_id: str | None = None,
        changes: dict[str, Any] | None = None,
        entry: dict[str, Any] | None = None,
        user_id: str = "",
        run_id: str | None = None,
    ) -> Tag:
        """Store a new tag (all checks already done); ``entry``: its first change entry."""
        created_at = self._store.now_ms()
        tag = Tag(
            id=self._store.new_id(),
            name=name,
            prev_tag_id=prev_tag_id,
            bit_mask=bit_mask,
            tot_size=tot_size,
            created_at=created_at,
            creator=creator,
            query_tag_id=query_tag_id,
            preselected_tag_id=preselected_tag_id,
            changes=changes,
            history=[] if entry is None else [_entry(user_id, creator, created_at, entry)],
            run_id=run_id,
        )
        dataset.tags[tag.id] = tag
        return tag

    def _creator(self, creator: object) -> str:
        return check_creator(creator, TAG_CREATORS_LATEST if self._store.latest else TAG_CREATORS)

    def _run_id(self, body: object) -> str | None:
        run_id = getattr(body, "run_id", None)
        return None if run_id is None else check_object_id(run_id, "runId")

    def _check_unique(self, dataset: Dataset, name: str) -> None:
        if any(t.name == name for t in dataset.tags.values()):
            raise FakeApiError.of("TAG_NAME_EXISTS", f"a tag named {name!r} already exists")

    def _export_samples(
        self, user: User, dataset_id: str, tag_id: str, options: ExportOptions
    ) -> tuple[Dataset, list[Sample]]:
        dataset = self._store.dataset(user, dataset_id)
        tag = dataset.tag(tag_id)
        if options.expires_in is not None and options.expires_in < 1:
            raise FakeApiError.of("MALFORMED_REQUEST", "expiresIn must be >= 1")
        if options.access_control != "default":
            raise FakeApiError.of(
                "ACCESS_CONTROL_UNKNOWN", f"unknown accessControl {options.access_control!r}"
            )
        samples = _samples_of(dataset, tag)
        if options.preview_example:
            samples = samples[:1]
        start = options.page_offset or 0
        end = None if options.page_size is None else start + options.page_size
        return dataset, samples[start:end]

    def _url(self, dataset: Dataset, sample: Sample, options: ExportOptions) -> str:
        expires = 0
        if options.expires_in is not None:
            expires = int(self._store.clock()) + options.expires_in
        key = sample_blob_key(dataset.id, sample.id, sample.file_name)
        return self._store.signed_url(options.base_url, key, "GET", expires=expires)


@attrs.frozen(kw_only=True)
class ExportOptions:
    """The query of an export request plus the base URL to sign against."""

    base_url: str
    expires_in: int | None = None
    preview_example: bool = False
    access_control: str = "default"
    # the newest API's paged exports (``pageSize``/``pageOffset``); None: every row
    page_size: int | None = None
    page_offset: int | None = None


def tag_data(dataset: Dataset, tag: Tag) -> TagData:
    """The wire view of a stored tag."""
    return TagData(
        id=tag.id,
        dataset_id=dataset.id,
        prev_tag_id=tag.prev_tag_id,
        name=tag.name,
        bit_mask_data=tag.bit_mask,
        tot_size=tag.tot_size,
        created_at=tag.created_at,
        query_tag_id=tag.query_tag_id,
        preselected_tag_id=tag.preselected_tag_id,
        last_modified_at=tag.last_modified_at,
        changes=tag.changes,
    )


def check_tag_name(name: str) -> str:
    """A valid ``TagName`` or a 400."""
    checked: str = check(name, TAG_NAME, "tag name")
    return checked


def check_creator(creator: object, creators: OneOf = TAG_CREATORS) -> str:
    """A known ``TagCreator`` value (default ``UNKNOWN``) or a 400."""
    if creator is None:
        return "UNKNOWN"
    return str(getattr(check(creator, creators, "creator"), "value", creator))


def _entry(user_id: str, creator: str, ts: int, changes: dict[str, Any]) -> dict[str, Any]:
    return {"userId": user_id, "creator": creator, "ts": ts, "changes": changes}


_SCHEMES: Final = {"S3": "s3", "S3DelegatedAccess": "s3", "GCS": "gs", "AZURE": "azure",
                   "OBS": "obs", "LOCAL": "local", "LIGHTLY": "lightly"}


def _datasource_root(dataset: Dataset) -> str:
    """Where the dataset's files live, as ``DATASOURCE_FULL`` writes it (no trailing /)."""
    config = dataset.datasource
    path = getattr(config, "full_path", None)
    if config is None or not isinstance(path, str):
        return f"lightly://{dataset.id}"
    scheme = _SCHEMES.get(str(getattr(config, "type", "")), "lightly")
    return f"{scheme}://{path.strip('/')}"


def _samples_of(dataset: Dataset, tag: Tag) -> list[Sample]:
    return [dataset.samples[i] for i in tag.bit_mask.indices() if i < len(dataset.samples)]


# -- HTTP handlers ---------------------------------------------------------------------------
def _list_tags(c: RequestContext) -> Any:
    return c.store.tags.list_tags(c.user, c.ds)


def _create_tag(c: RequestContext) -> Any:
    return c.store.tags.create_tag(c.user, c.ds, c.body)


def _create_initial_tag(c: RequestContext) -> Any:
    return c.store.tags.create_initial(c.user, c.ds, c.body)


def _arithmetics(c: RequestContext) -> Any:
    return c.store.tags.arithmetics(c.user, c.ds, c.body, create=True)


def _arithmetics_bitmask(c: RequestContext) -> Any:
    return c.store.tags.arithmetics(c.user, c.ds, c.body, create=False)


def _upsize(c: RequestContext) -> Any:
    return c.store.tags.upsize(c.user, c.ds, c.body)


def _get_tag(c: RequestContext) -> Any:
    return c.store.tags.get_tag(c.user, c.ds, c.path("tagId"))


def _update_tag(c: RequestContext) -> Any:
    return c.store.tags.update_tag(c.user, c.ds, c.path("tagId"), c.body)


def _delete_tag(c: RequestContext) -> Any:
    return c.store.tags.delete_tag(c.user, c.ds, c.path("tagId"))


def _filenames(c: RequestContext) -> Any:
    return c.store.tags.filenames(c.user, c.ds, c.path("tagId"))


def _export_label_box(c: RequestContext) -> Any:
    return c.store.tags.export_label_box(c.user, c.ds, c.path("tagId"), _export_options(c))


def _export_label_box_v4(c: RequestContext) -> Any:
    return c.store.tags.export_label_box_v4(c.user, c.ds, c.path("tagId"), _export_options(c))


def _export_label_studio(c: RequestContext) -> Any:
    return c.store.tags.export_label_studio(c.user, c.ds, c.path("tagId"), _export_options(c))


def _export_sama(c: RequestContext) -> Any:
    return c.store.tags.export_sama(c.user, c.ds, c.path("tagId"), _export_options(c))


def _export_filenames(c: RequestContext) -> Any:
    # paged in both dialects (the seed era never had it: its shape is the newest one)
    options = _export_options(c, paged=True)
    file_format = c.query("fileNameFormat", "NAME")
    text = c.store.tags.export_filenames(c.user, c.ds, c.path("tagId"), options, file_format)
    return PlainTextResponse(text)


def _export_options(c: RequestContext, *, paged: bool | None = None) -> ExportOptions:
    # the newest API pages exports; the seed era answers every row at once
    paged = c.latest if paged is None else paged
    if paged or c.latest:
        for name, allowed in (("fileNameFormat", _FILE_NAME_FORMATS), ("format", _FORMATS)):
            value = c.query(name)
            if value is not None:
                check(value, allowed, name)
        c.query_bool("includeMetaData")
    return ExportOptions(
        base_url=c.base_url,
        expires_in=c.query_int("expiresIn", minimum=1),
        preview_example=c.query_bool("previewExample"),
        access_control=c.query("accessControl", "default"),
        page_size=c.query_int("pageSize", minimum=1) if paged else None,
        page_offset=c.query_int("pageOffset") if paged else None,
    )


_FILE_NAME_FORMATS: Final = OneOf("FileNameFormat", ("NAME", "DATASOURCE_FULL",
                                                     "REDIRECTED_READ_URL"))
_FORMATS: Final = OneOf("FileOutputFormat", ("JSON", "PLAIN"))

ROUTES: Final = [
    OperationRoute(op.GET_TAGS_BY_DATASET_ID, _list_tags),
    OperationRoute(op.CREATE_TAG_BY_DATASET_ID, _create_tag, TagCreateRequest, 201),
    OperationRoute(op.CREATE_INITIAL_TAG_BY_DATASET_ID, _create_initial_tag,
                   InitialTagCreateRequest, 201),
    OperationRoute(op.PERFORM_TAG_ARITHMETICS, _arithmetics, TagArithmeticsRequest),
    OperationRoute(op.PERFORM_TAG_ARITHMETICS_BITMASK, _arithmetics_bitmask,
                   TagArithmeticsRequest),
    OperationRoute(op.UPSIZE_TAGS_BY_DATASET_ID, _upsize, TagUpsizeRequest, 201),
    OperationRoute(op.GET_TAG_BY_TAG_ID, _get_tag),
    OperationRoute(op.UPDATE_TAG_BY_TAG_ID, _update_tag, TagUpdateRequest),
    OperationRoute(op.DELETE_TAG_BY_TAG_ID, _delete_tag),
    OperationRoute(op.GET_FILENAMES_BY_TAG_ID, _filenames),
    OperationRoute(op.EXPORT_TAG_TO_LABEL_BOX_DATA_ROWS, _export_label_box),
    OperationRoute(op.EXPORT_TAG_TO_LABEL_BOX_V4_DATA_ROWS, _export_label_box_v4),
    OperationRoute(op.EXPORT_TAG_TO_LABEL_STUDIO_TASKS, _export_label_studio),
    OperationRoute(op.EXPORT_TAG_TO_SAMA_TASKS, _export_sama),
    OperationRoute(op.EXPORT_TAG_TO_BASIC_FILENAMES, _export_filenames),
]
"""The Tags routes, as ``_app.py`` mounts them."""
