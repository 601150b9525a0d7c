"""Embeddings of a dataset (beyond the seeds): list them, upload and download their CSVs.

lightly 1.5.20's ``EmbeddingsApi`` has no single-embedding GET: ``get`` and ``get_by_name``
pick from the listing, as lightly's own ``get_embedding_data_by_name`` does. An upload
(``upload_csv``) goes as 1.5.20's ``upload_embeddings`` does: a signed write URL for the
new embedding, the CSV PUT there (rows in the dataset's sample order), then its 2d views
(PCA, t-SNE, UMAP) asked for.
"""

from __future__ import annotations

import builtins
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

import anyio

from lightly_async import _operations as op
from lightly_async import _validate as check
from lightly_async._embedding_csv import CsvIndex, index_csv, write_ordered
from lightly_async._transfer import DEFAULT_TRANSFER_TIMEOUT, IfExists, TransferTimeout
from lightly_async.errors import AmbiguousNameError, InvalidInputError, NameNotFoundError
from lightly_async.models.embeddings import (
    DatasetEmbeddingData,
    DimensionalityReductionMethod,
    Trigger2dEmbeddingJobRequest,
    WriteCSVUrlData,
)
from lightly_async.resources._base import DatasetResource

__all__ = ["Embeddings"]


class Embeddings(DatasetResource):
    """``dataset.embeddings``: the embeddings uploaded for a dataset."""

    __slots__ = ()

    async def list(self) -> builtins.list[DatasetEmbeddingData]:
        """Every embedding of the dataset."""
        return await self._call(op.GET_EMBEDDINGS_BY_DATASET_ID,
                                cast=builtins.list[DatasetEmbeddingData])

    async def get(self, embedding_id: str) -> DatasetEmbeddingData:
        """One embedding, by id (picked from the listing); :class:`NameNotFoundError` if
        the dataset has none with that id."""
        embedding_id = check.object_id("embedding_id", embedding_id)
        for embedding in await self.list():
            if embedding.id == embedding_id:
                return embedding
        raise NameNotFoundError("embedding", embedding_id, by="with id")

    async def get_by_name(self, name: str) -> DatasetEmbeddingData:
        """The embedding called exactly ``name``.

        Raises:
            NameNotFoundError: no embedding of the dataset has that name.
            AmbiguousNameError: several have it (``ids``); pass one by id instead.
        """
        if not isinstance(name, str) or not name:
            raise InvalidInputError("name", f"must be a non-empty string, got {name!r}")
        embeddings = await self.list()
        found = [e for e in embeddings if e.name == name]
        if not found:
            # Lightly Worker names embeddings like ``default_20230522_10h15m50s``: show them
            raise NameNotFoundError("embedding", name, known=[e.name for e in embeddings])
        if len(found) > 1:
            raise AmbiguousNameError("embedding", name, [e.id for e in found])
        return found[0]

    async def latest(self, *, prefix: str | None = None) -> DatasetEmbeddingData:
        """The newest embedding of the dataset (by ``created_at``); with ``prefix``, the
        newest whose name starts with it (``prefix="default"``: the one 1.5.20's
        ``download_embeddings_csv`` picks). This replaces 1.5.20's
        ``set_embedding_id_to_latest``: pass the result to a sampling.

        Raises:
            NameNotFoundError: the dataset has no (such) embedding.
        """
        if prefix is not None and (not isinstance(prefix, str) or not prefix):
            raise InvalidInputError("prefix", f"must be a non-empty string, got {prefix!r}")
        embeddings = await self.list()
        found = [e for e in embeddings if prefix is None or e.name.startswith(prefix)]
        if not found:
            what = "" if prefix is None else f"named {prefix}... "
            raise NameNotFoundError("embedding", self._dataset_id, by=f"{what}in dataset",
                                    known=None if prefix is None else [e.name for e in embeddings])
        # the latest created wins; on a tie the first listed (the API lists newest first)
        return max(found, key=lambda e: e.created_at)

    async def upload_csv(
        self,
        path: str | os.PathLike[str],
        name: str,
        *,
        append: bool = False,
        transfer_timeout: TransferTimeout = DEFAULT_TRANSFER_TIMEOUT,
    ) -> DatasetEmbeddingData:
        """Upload an embedding CSV (``filenames,embedding_0,...,labels``) as a new embedding
        called ``name`` and return it (lightly 1.5.20's ``upload_embeddings``).

        The file is checked before anything is sent, each problem an
        :class:`InvalidInputError` naming the line and column: the header (``filenames``
        first, ``embedding_<n>`` columns, a ``labels`` column), every row as wide as the
        header, every embedding value a finite number, no file name twice, every file name a
        sample of the dataset, and every sample covered. Only the ``filenames``,
        ``embedding_<n>`` and ``labels`` columns are uploaded, the rows in the dataset's
        sample order; the file is streamed (a reordered copy is written to a temporary
        file first, never held in memory) and the user's file is never changed.

        ``append=True`` extends the newest embedding whose name starts with ``name``, as
        1.5.20 does: its rows are kept, a row of this file replaces the one for the same
        file name, and the result is uploaded as ``<name>_<YYYYmmdd_HHhMMmSSs>`` (so the
        file need only cover the samples that embedding lacks). With no such embedding it
        uploads as ``append=False`` does. ``append=False`` refuses a ``name`` an embedding
        of the dataset already has.
        """
        if not isinstance(name, str) or not name:
            raise InvalidInputError("name", f"must be a non-empty string, got {name!r:.80}")
        if not isinstance(append, bool):
            raise InvalidInputError("append", f"must be a bool, got {append!r}")
        if not isinstance(transfer_timeout, TransferTimeout):
            raise InvalidInputError("transfer_timeout", f"must be a TransferTimeout, got "
                                                        f"{transfer_timeout!r}")
        local = await anyio.to_thread.run_sync(index_csv, path)
        existing = await self.list()
        base: DatasetEmbeddingData | None = None
        if append:
            base = next((e for e in existing if e.name.startswith(name)), None)
        elif any(e.name == name for e in existing):
            raise InvalidInputError("name", f"the dataset has an embedding named {name!r}; "
                                            "pass append=True to extend it, or another name")
        file_names = await self._session.dataset(self._dataset_id).mappings.file_names()
        _check_names(local, file_names)
        workdir = await anyio.to_thread.run_sync(tempfile.mkdtemp)
        try:
            sources = [local]
            if base is not None:
                sources.append(await self._remote_rows(base, Path(workdir), local))
            _check_coverage(file_names, sources)
            upload_path = await self._assemble(Path(workdir), file_names, sources)
            final_name = name if base is None else (
                f"{name}_{datetime.now().strftime('%Y%m%d_%Hh%Mm%Ss')}")
            target = await self._call(op.GET_EMBEDDINGS_CSV_WRITE_URL_BY_ID,
                                      cast=WriteCSVUrlData, params={"name": final_name})
            await self._upload_to(target.signed_write_url, upload_path,
                                  transfer_timeout=transfer_timeout)
        finally:
            await anyio.to_thread.run_sync(shutil.rmtree, workdir, True)
        embedding_id = check.object_id("embeddingId", target.embedding_id)
        for method in DimensionalityReductionMethod:
            body = Trigger2dEmbeddingJobRequest(dimensionality_reduction_method=method)
            await self._call(op.TRIGGER2D_EMBEDDINGS_JOB, json_body=self._dump(body),
                             embeddingId=embedding_id)
        return await self.get(embedding_id)

    async def download_csv(
        self,
        embedding: str | DatasetEmbeddingData,
        path: str | os.PathLike[str],
        *,
        if_exists: IfExists = "overwrite",
        transfer_timeout: TransferTimeout = DEFAULT_TRANSFER_TIMEOUT,
    ) -> Path:
        """Download an embedding's CSV (by id or ``DatasetEmbeddingData``) to ``path``,
        byte for byte as stored (lightly 1.5.20's ``download_embeddings_csv_by_id``; for
        its ``download_embeddings_csv`` pass ``latest(prefix="default")``'s result). The
        file is streamed into a temporary file beside ``path`` that takes its name only
        when complete; ``if_exists="error"`` refuses an existing ``path``
        (:class:`FileExistsError`). Returns the path written.
        """
        given = embedding.id if isinstance(embedding, DatasetEmbeddingData) else embedding
        embedding_id = check.object_id("embedding", given)
        if if_exists not in ("error", "overwrite"):
            raise InvalidInputError("if_exists", f"must be 'error' or 'overwrite', got "
                                                 f"{if_exists!r}")
        dest = Path(path)
        url = await self._call(op.GET_EMBEDDINGS_CSV_READ_URL_BY_ID, cast=str,
                               embeddingId=embedding_id)
        await self._download_from(url, dest, if_exists=if_exists,
                                  transfer_timeout=transfer_timeout)
        return dest

    async def _remote_rows(
        self, base: DatasetEmbeddingData, workdir: Path, local: CsvIndex
    ) -> CsvIndex:
        """The rows of ``base`` (downloaded into ``workdir``), checked against ``local``."""
        remote_path = workdir / "remote.csv"
        await self.download_csv(base, remote_path)
        remote = await anyio.to_thread.run_sync(index_csv, remote_path,
                                                f"embedding {base.name!r} on the server")
        if len(remote.keep) != len(local.keep):
            raise InvalidInputError(
                "path", f"has {len(local.keep)} columns to upload, the embedding "
                        f"{base.name!r} it would extend {len(remote.keep)}")
        return remote

    async def _assemble(
        self, workdir: Path, file_names: builtins.list[str], sources: builtins.list[CsvIndex]
    ) -> str:
        """The file to upload: the user's own when it is already what is sent."""
        local = sources[0]
        if len(sources) == 1 and not local.projected and [
                line for line, _, _ in sorted(local.rows.values())] == [
                local.rows[n][0] for n in file_names]:
            return local.path
        dest = str(workdir / "upload.csv")
        await anyio.to_thread.run_sync(write_ordered, dest, file_names, sources)
        return dest


def _check_names(local: CsvIndex, file_names: builtins.list[str]) -> None:
    on_server = set(file_names)
    for file_name, (line, _, _) in local.rows.items():
        if file_name not in on_server:
            raise InvalidInputError("path", f"line {line}, column 'filenames': {file_name!r} "
                                            "is not a sample of the dataset")


def _check_coverage(file_names: builtins.list[str], sources: builtins.list[CsvIndex]) -> None:
    missing = [n for n in file_names if not any(n in s.rows for s in sources)]
    if missing:
        shown = ", ".join(repr(n) for n in missing[:5])
        raise InvalidInputError("path", f"has no row for {len(missing)} of the dataset's "
                                        f"{len(file_names)} samples ({shown}"
                                        f"{', ...' if len(missing) > 5 else ''})")
