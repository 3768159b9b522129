"""The JSONL sample log: append, resume, tolerance of an interrupted last write."""

import json

import pytest

from lead.eval.samples import SampleRecord, SampleStore


def make(index: int, problem: str = "p") -> SampleRecord:
    return SampleRecord(
        "bench", problem, index, 100 + index, f"answer {index}", 5, "stop", "1", True, index % 2 == 0
    )


def test_records_survive_reopening(tmp_path):
    path = tmp_path / "samples.jsonl"
    store = SampleStore(path)
    for i in range(3):
        store.append(make(i))
    reopened = SampleStore(path)
    assert len(reopened) == 3
    assert ("bench", "p", 2) in reopened
    assert reopened.records[("bench", "p", 1)] == make(1)


def test_appending_a_known_sample_is_refused(tmp_path):
    store = SampleStore(tmp_path / "samples.jsonl")
    store.append(make(0))
    with pytest.raises(ValueError, match="already"):
        store.append(make(0))


def test_truncated_last_line_is_dropped_and_file_repaired(tmp_path):
    path = tmp_path / "samples.jsonl"
    store = SampleStore(path)
    for i in range(3):
        store.append(make(i))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 20])  # cut inside the third line
    store = SampleStore(path)
    assert sorted(store.records) == [("bench", "p", 0), ("bench", "p", 1)]
    store.append(make(2))
    lines = path.read_text().splitlines()
    assert [json.loads(line)["sample_index"] for line in lines] == [0, 1, 2]


def test_complete_last_record_without_newline_is_kept(tmp_path):
    path = tmp_path / "samples.jsonl"
    store = SampleStore(path)
    store.append(make(0))
    store.append(make(1))
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    store = SampleStore(path)
    assert len(store) == 2
    store.append(make(2))
    assert len(path.read_text().splitlines()) == 3


def test_corrupt_line_in_the_middle_is_an_error(tmp_path):
    path = tmp_path / "samples.jsonl"
    store = SampleStore(path)
    store.append(make(0))
    path.write_text(path.read_text() + "{not json\n" + json.dumps(make(1).__dict__) + "\n")
    with pytest.raises(ValueError, match="line 2"):
        SampleStore(path)
