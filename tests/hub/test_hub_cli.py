"""`kiosk hub ...` as the venue's IT person and a station's technician run it, against a real PostgreSQL hub."""

from __future__ import annotations

import json

from kiosk.cli import main
from tests.conftest import DEMO_CSV
from tests.hub.test_stations_processes import station_config
from tests.hub.venue import STATION_PASSWORD
from tests.pg import DATABASE, OWNER


def test_owner_sets_up_the_hub_and_a_station_reads_its_venue(cluster, tmp_path, capsys, monkeypatch):
    cluster.sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    cluster.sql(f"CREATE DATABASE {DATABASE} OWNER {OWNER}")
    monkeypatch.setenv("SENTRA_HUB_URL", cluster.url())
    assert main(["hub", "upgrade"]) == 0
    assert main(["hub", "upgrade"]) == 0  # again: nothing to do
    assert capsys.readouterr().out.count("hub schema at revision h001") == 2

    config = station_config(tmp_path, cluster, "ST-01")  # its [quota] is the venue's plan: 2000 over five days
    assert main(["hub", "init", "--plan", str(config)]) == 0
    assert "the plan is loaded: 5 service day(s)" in capsys.readouterr().out
    assert main(["hub", "init", "--plan", str(config)]) == 0
    assert "nothing changed" in capsys.readouterr().out
    other = tmp_path / "other.toml"
    other.write_text(config.read_text().replace("stock = 25000", "stock = 999"))
    assert main(["hub", "init", "--plan", str(other)]) == 1
    assert "a venue's plan is loaded once" in capsys.readouterr().err

    secret = tmp_path / "password"
    secret.write_text("short\n")
    assert main(["hub", "add-station", "ST-02", "--password-file", str(secret)]) == 2
    assert "at least 12 characters" in capsys.readouterr().err
    secret.write_text(STATION_PASSWORD + "\n")
    assert main(["hub", "add-station", "ST-02", "--password-file", str(secret)]) == 0
    assert "PostgreSQL role sentra_st_02" in capsys.readouterr().out

    bad = tmp_path / "bad.csv"
    bad.write_text(DEMO_CSV.read_text() + "123,X,2000-01-01,M,,REG-X1,,\n", encoding="utf-8")
    assert main(["hub", "import", "registrations", str(bad)]) == 0
    out = capsys.readouterr().out
    assert "imported 36, unchanged 0, refused 1" in out and "line 38: nik: a NIK has 16 digits, this has 3" in out
    assert main(["hub", "import", "registrations", str(DEMO_CSV)]) == 0
    assert "imported 0, unchanged 36, refused 0" in capsys.readouterr().out

    monkeypatch.delenv("SENTRA_HUB_URL")
    assert main(["--config", str(config), "hub", "sync"]) == 0  # the station: renew, pull the 36, send
    assert "pulled 36 registration(s)" in capsys.readouterr().out
    assert main(["--config", str(config), "hub", "status", "--json", "--day", "2021-08-05"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert (status["cap"], status["used"], status["free"]) == (5000, 0, 5000)
    assert [s["station_id"] for s in status["stations"]] == ["ST-01", "ST-02"]
    assert main(["--config", str(config), "hub", "conflicts"]) == 0
    assert capsys.readouterr().out.strip() == "no conflicts"


def test_a_station_role_cannot_run_owner_commands(hub, tmp_path, capsys):
    config = station_config(tmp_path, hub, "ST-01")
    url = hub.url("sentra_st_01", STATION_PASSWORD)
    assert main(["hub", "init", "--plan", str(config), "--url", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kiosk: hub init: the hub refused (permission denied") and "Traceback" not in err


def test_a_hub_url_without_the_driver_is_one_line(tmp_path, capsys):
    from tests.unit.test_config import GOOD

    config = tmp_path / "kiosk.toml"
    config.write_text(GOOD.format(data=tmp_path).replace("[database]\nurl = \"postgresql+psycopg://kiosk:s3cret@127.0.0.1/venue\"\n", "")
                      + '[hub]\nurl = "postgresql://st01:pw@hub.lan/sentra"\n', encoding="utf-8")
    assert main(["--config", str(config), "config", "check"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "hub.url" in err and "postgresql+psycopg://" in err


def test_no_hub_anywhere_says_where_to_put_it(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("SENTRA_HUB_URL", raising=False)
    from tests.unit.test_config import GOOD

    config = tmp_path / "kiosk.toml"
    config.write_text(GOOD.format(data=tmp_path), encoding="utf-8")
    assert main(["--config", str(config), "hub", "status"]) == 2
    assert "where is the hub?" in capsys.readouterr().err
