"""The default dataset (data/devon-cornwall) is valid, reconciles and cites its figures honestly.

The totals and sourced figures are re-read here with the csv module, not through budgetopt, so a
parsing bug in the package cannot hide a wrong figure.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from budgetopt.data.dataset import Dataset, load_dataset
from budgetopt.data.schemas import TABLES, Kind

from plain_reading import (
    key_text,
    money,
    read_csv,
    source_register,
    sourced_cells_differing,
    unsupported_figures,
)

PUBLISHED_TOTAL = 9_600_000
SCHEMES = {"victims", "impact", "community-grants", "yot-pooled", "csp", "serious-violence",
           "asb", "perpetrators"}
AREAS = {"cornwall-ios", "devon", "plymouth", "torbay"}


@pytest.fixture(scope="module")
def dataset(default_dataset_dir) -> Dataset:
    return load_dataset(default_dataset_dir)


@pytest.fixture(scope="module")
def manifest(default_dataset_dir) -> dict:
    return yaml.safe_load((default_dataset_dir / "dataset.yaml").read_text(encoding="utf-8"))


def normalise_key(key: str) -> str:
    """'vs-core/1.0' and 'vs-core/1' name the same row."""
    parts = []
    for part in key.split("/"):
        try:
            parts.append(format(float(part), "g") if part[:1].isdigit() else part)
        except ValueError:
            parts.append(part)
    return "/".join(parts)


# --------------------------------------------------------------------------------------------
def test_default_dataset_validates(dataset):
    assert dataset.name == "devon-cornwall"
    assert dataset.base_year == 2024
    assert dataset.plan_years == [2025, 2026, 2027, 2028, 2029]
    assert set(dataset.tables) == set(TABLES)


def test_manifest_total(manifest):
    assert manifest["published_total_gbp"] == PUBLISHED_TOTAL
    assert manifest["published_total_source"] in {s["id"] for s in manifest["sources"]}


def test_services_last_year_sum_to_published_total(default_dataset_dir):
    rows = read_csv(default_dataset_dir, "services")
    assert sum(money(r["last_year_gbp"]) for r in rows) == PUBLISHED_TOTAL


def test_base_year_streams_sum_to_published_total(default_dataset_dir):
    rows = read_csv(default_dataset_dir, "stream_amounts")
    base = [r for r in rows if r["year"].strip() == "2024"]
    assert len(base) == len(read_csv(default_dataset_dir, "streams"))
    assert sum(money(r["amount_gbp"]) for r in base) == PUBLISHED_TOTAL


def test_loaded_totals_agree(dataset):
    assert dataset.services["last_year_gbp"].sum() == PUBLISHED_TOTAL
    amounts = dataset.stream_amounts["amount_gbp"].unstack("year")
    assert amounts[2024].sum() == PUBLISHED_TOTAL


def test_sourced_quotes_are_verbatim_in_their_sources_register_entry(manifest, repo_root):
    register = source_register(repo_root)
    missing = [(f["table"], f["key"], f["column"], f["source"], f["quote"])
               for f in manifest["sourced_figures"]
               if f["quote"] not in register.get(f["source"], "")]
    assert not missing, f"quotes not found in their source's passage of the register: {missing}"


def test_every_source_has_a_register_entry_with_a_passage(manifest, repo_root):
    register = source_register(repo_root)
    ids = [s["id"] for s in manifest["sources"]]
    assert not set(ids) - set(register), "a source without a register entry"
    assert all(register[sid].strip() for sid in ids), "a source without a recorded passage"
    # the register is shared by the shipped datasets: every entry is some dataset's source
    shipped = {s["id"] for path in (repo_root / "data").glob("*/dataset.yaml")
               for s in yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]}
    assert sorted(register) == sorted(shipped), "a register entry no dataset cites"


def test_sourced_values_equal_their_cells(manifest, default_dataset_dir):
    assert manifest["sourced_figures"], "the default dataset cites no figures"
    assert sourced_cells_differing(default_dataset_dir, manifest) == []


def test_sourced_figures_cite_known_sources_and_show_working(manifest):
    assert unsupported_figures(manifest) == []


def test_sourced_figures_are_numeric_cells(manifest):
    for f in manifest["sourced_figures"]:
        spec = TABLES[f["table"]]
        assert spec.column(f["column"]).kind in (Kind.MONEY, Kind.NUMBER), f


def test_service_count(dataset, default_dataset_dir):
    assert 25 <= len(dataset.services) <= 40
    assert len(read_csv(default_dataset_dir, "services")) == len(dataset.services)


def test_named_schemes(dataset):
    assert set(dataset.schemes.index) == SCHEMES


def test_named_areas(dataset):
    assert set(dataset.areas.index) == AREAS


def test_every_curve_has_at_least_3_segments(dataset):
    counts = dataset.curves.groupby(level="service_id").size()
    assert set(counts.index) == set(dataset.services.index)
    assert (counts >= 3).all(), counts[counts < 3].to_dict()


def test_every_non_sourced_numeric_figure_is_a_placeholder(dataset, manifest,
                                                           default_dataset_dir):
    sourced = {(f["table"], normalise_key(f["key"]), f["column"])
               for f in manifest["sourced_figures"]}
    expected = set()
    for name, spec in TABLES.items():
        numeric = [c.name for c in spec.columns
                   if c.kind in (Kind.MONEY, Kind.NUMBER) and c.name not in spec.key]
        for row in read_csv(default_dataset_dir, Path(manifest["tables"][name]).stem):
            for col in numeric:
                if row.get(col, "").strip():
                    cell = (name, normalise_key(key_text(row, name)), col)
                    if cell not in sourced:
                        expected.add(cell)
    reported = [(t, normalise_key(k), c) for t, k, c in dataset.placeholder_figures()]
    assert len(reported) == len(set(reported)), "a placeholder is reported twice"
    assert set(reported) == expected
    assert not (set(reported) & sourced)


def test_summary_mentions_reconciliation(dataset):
    text = dataset.summary()
    assert "reconciles to the published total £9,600,000" in text
    assert f"{len(dataset.manifest.sourced_figures)} figures from published sources" in text
