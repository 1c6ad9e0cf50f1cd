"""The venue hub: the day's cap and its leases, claims, passes, the replicated records, conflicts.

Every change a station makes to shared numbers goes through a SECURITY DEFINER function that
checks who is calling (``sentra_my_station()``, from the PostgreSQL role it logged in as): the
station role ``sentra_station`` can read, insert its own replicated rows (row-level security),
and call these functions, and nothing more. ``hub_day_cap_holds`` is the last line of defence:
whatever any code does, PostgreSQL refuses a day with more slots leased or held than its cap.

Revision ID: h001
Revises:
"""
from alembic import op

revision = "h001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = """
CREATE SEQUENCE hub_rev;

CREATE TABLE hub_plan (
    id int PRIMARY KEY CHECK (id = 1),
    stock int NOT NULL CHECK (stock >= 0),
    first_day date NOT NULL,
    last_day date NOT NULL,
    carry_forward boolean NOT NULL,
    walkin_share double precision NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE hub_day (
    service_day date PRIMARY KEY,
    cap int NOT NULL CHECK (cap >= 0),
    walkin_slots int NOT NULL DEFAULT 0,
    leased int NOT NULL DEFAULT 0 CHECK (leased >= 0),
    held_for_passes int NOT NULL DEFAULT 0 CHECK (held_for_passes >= 0),
    turned_away int NOT NULL DEFAULT 0,
    carried_in int NOT NULL DEFAULT 0,
    closed boolean NOT NULL DEFAULT false,
    CONSTRAINT hub_day_cap_holds CHECK (leased + held_for_passes <= cap)
);

CREATE TABLE hub_station (
    station_id text PRIMARY KEY,
    pg_role text NOT NULL UNIQUE,
    registered_at timestamptz NOT NULL DEFAULT now(),
    last_contact timestamptz,
    backlog int NOT NULL DEFAULT 0
);

CREATE TABLE hub_lease (
    station_id text NOT NULL REFERENCES hub_station,
    service_day date NOT NULL REFERENCES hub_day,
    granted int NOT NULL DEFAULT 0 CHECK (granted >= 0),
    spent int NOT NULL DEFAULT 0,
    released int NOT NULL DEFAULT 0,
    reclaimed int NOT NULL DEFAULT 0,
    offline_allowance int NOT NULL DEFAULT 0,
    renewed_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (station_id, service_day)
);

CREATE TABLE hub_grant (
    id uuid PRIMARY KEY,
    station_id text NOT NULL,
    service_day date NOT NULL,
    slots int NOT NULL,
    reason text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE hub_claim (
    service_day date NOT NULL,
    registration_id uuid NOT NULL,
    station_id text NOT NULL,
    visit_id uuid NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service_day, registration_id)
);

CREATE TABLE hub_pass (
    id uuid PRIMARY KEY,
    short_id text NOT NULL UNIQUE,
    registration_id uuid NOT NULL,
    issued_by text NOT NULL,
    issued_on date NOT NULL,
    valid_on date NOT NULL,
    used_at timestamptz,
    used_by text,
    used_visit uuid
);
CREATE INDEX hub_pass_person ON hub_pass (registration_id);

CREATE TABLE hub_registration (
    id uuid PRIMARY KEY,
    nik varchar(16) NOT NULL UNIQUE,
    name text NOT NULL,
    birth_date date NOT NULL,
    sex varchar(1) NOT NULL,
    phone text NOT NULL DEFAULT '',
    code text NOT NULL UNIQUE,
    appointment_date date,
    session text NOT NULL DEFAULT '',
    source text NOT NULL DEFAULT 'import',
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    rev bigint NOT NULL DEFAULT nextval('hub_rev')
);
CREATE INDEX hub_registration_rev ON hub_registration (rev);

CREATE TABLE hub_record (
    id uuid PRIMARY KEY,
    station_id text NOT NULL,
    seq bigint NOT NULL,
    topic text NOT NULL,
    aggregate_id uuid NOT NULL,
    registration_id uuid,
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hub_record_station ON hub_record (station_id, seq);
CREATE INDEX hub_record_person ON hub_record (registration_id);

CREATE TABLE hub_visit (
    id uuid PRIMARY KEY,
    registration_id uuid NOT NULL,
    service_day date NOT NULL,
    station_id text NOT NULL,
    queue_number text NOT NULL,
    dose_number int NOT NULL,
    checked_in_at timestamptz NOT NULL,
    state text NOT NULL DEFAULT 'checked_in'
);
CREATE INDEX hub_visit_person ON hub_visit (registration_id, service_day);

CREATE TABLE hub_dose (
    id uuid PRIMARY KEY,
    visit_id uuid NOT NULL,
    registration_id uuid NOT NULL,
    station_id text NOT NULL,
    product text NOT NULL,
    dose_number int NOT NULL,
    given_at timestamptz NOT NULL,
    rev bigint NOT NULL DEFAULT nextval('hub_rev')
);
CREATE INDEX hub_dose_person ON hub_dose (registration_id);
CREATE INDEX hub_dose_rev ON hub_dose (rev);

CREATE TABLE hub_conflict (
    id bigserial PRIMARY KEY,
    kind text NOT NULL,
    registration_id uuid,
    service_day date,
    first_station text NOT NULL,
    first_id uuid,
    second_station text NOT NULL,
    second_id uuid NOT NULL,
    detail text NOT NULL DEFAULT '',
    found_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, second_id)
);
"""

FUNCTIONS = r"""
CREATE FUNCTION sentra_my_station() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS
$$ SELECT station_id FROM hub_station WHERE pg_role = session_user $$;

CREATE FUNCTION sentra_me() RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE me text := sentra_my_station();
BEGIN
    IF me IS NULL THEN
        RAISE EXCEPTION 'the role % is not a station of this venue (kiosk hub add-station)', session_user
            USING ERRCODE = '42501';
    END IF;
    RETURN me;
END $$;

-- Close every open day before d: unused pass holds lapse, and with carry-forward what the day
-- left (its cap less what stations hold or spent) is added to the next plan day.
CREATE FUNCTION sentra_close_before(d date) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    r hub_day;
    nxt date;
    plan hub_plan;
BEGIN
    SELECT * INTO plan FROM hub_plan WHERE id = 1;
    FOR r IN SELECT * FROM hub_day WHERE service_day < d AND NOT closed ORDER BY service_day FOR UPDATE LOOP
        UPDATE hub_day SET closed = true, held_for_passes = 0 WHERE service_day = r.service_day;
        SELECT min(service_day) INTO nxt FROM hub_day WHERE service_day > r.service_day;
        IF plan.carry_forward AND nxt IS NOT NULL AND r.cap - r.leased > 0 THEN
            UPDATE hub_day SET cap = cap + (r.cap - r.leased), carried_in = carried_in + (r.cap - r.leased),
                               walkin_slots = round((cap + (r.cap - r.leased)) * plan.walkin_share)
             WHERE service_day = nxt;
        END IF;
    END LOOP;
END $$;

-- Take back from stations whose lease expired what they cannot have spent: everything above
-- what they reported spent plus the allowance they may spend while cut off.
CREATE FUNCTION sentra_reclaim(d date, me text) RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    l hub_lease;
    back int;
    total int := 0;
BEGIN
    FOR l IN SELECT * FROM hub_lease WHERE service_day = d AND station_id <> me AND expires_at < now()
             ORDER BY station_id FOR UPDATE LOOP
        back := l.granted - greatest(l.spent - l.released, 0) - l.offline_allowance;
        IF back > 0 THEN
            UPDATE hub_lease SET granted = granted - back, reclaimed = reclaimed + back
             WHERE station_id = l.station_id AND service_day = d;
            INSERT INTO hub_grant (id, station_id, service_day, slots, reason)
            VALUES (gen_random_uuid(), l.station_id, d, -back, 'reclaimed by ' || me);
            total := total + back;
        END IF;
    END LOOP;
    IF total > 0 THEN
        UPDATE hub_day SET leased = leased - total WHERE service_day = d;
    END IF;
    RETURN total;
END $$;

CREATE FUNCTION sentra_touch(me text, ttl_s int) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    UPDATE hub_station SET last_contact = now() WHERE station_id = me;
$$;

-- Lease up to `want` slots of day d. The block shrinks as the day fills (at most half of what is
-- free, shared among the stations that hold live leases), so few slots sit idle when it fills.
CREATE FUNCTION sentra_lease(d date, want int, allowance int, ttl_s int, grant_id uuid,
                             OUT out_got int, OUT out_granted int, OUT out_spent int, OUT out_released int,
                             OUT out_free int)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    me text := sentra_me();
    day hub_day;
    active int;
    k int;
BEGIN
    PERFORM sentra_close_before(d);
    out_got := 0; out_granted := 0; out_spent := 0; out_released := 0; out_free := 0;
    PERFORM sentra_touch(me, ttl_s);
    IF NOT EXISTS (SELECT 1 FROM hub_day WHERE service_day = d) THEN
        RETURN;  -- not a plan day: nothing to lease
    END IF;
    IF NOT EXISTS (SELECT 1 FROM hub_grant WHERE id = grant_id) THEN
        SELECT * INTO day FROM hub_day WHERE service_day = d;
        IF FOUND AND NOT day.closed AND want > 0 THEN
            SELECT count(*) INTO active FROM hub_lease
             WHERE service_day = d AND expires_at >= now() AND station_id <> me;
            k := least(want, greatest(1, (day.cap - day.leased - day.held_for_passes) / (2 * (active + 1))));
            UPDATE hub_day SET leased = leased + k
             WHERE service_day = d AND NOT closed AND leased + held_for_passes + k <= cap;
            IF FOUND THEN
                out_got := k;
            ELSE
                PERFORM sentra_reclaim(d, me);
                SELECT * INTO day FROM hub_day WHERE service_day = d FOR UPDATE;
                k := least(want, day.cap - day.leased - day.held_for_passes);
                IF k > 0 THEN
                    UPDATE hub_day SET leased = leased + k WHERE service_day = d;
                    out_got := k;
                END IF;
            END IF;
        END IF;
        INSERT INTO hub_lease (station_id, service_day, granted, offline_allowance, renewed_at, expires_at)
        VALUES (me, d, out_got, allowance, now(), now() + make_interval(secs => ttl_s))
        ON CONFLICT (station_id, service_day) DO UPDATE
           SET granted = hub_lease.granted + out_got, offline_allowance = allowance, renewed_at = now(),
               expires_at = now() + make_interval(secs => ttl_s);
        INSERT INTO hub_grant (id, station_id, service_day, slots, reason) VALUES (grant_id, me, d, out_got, 'lease');
    END IF;
    SELECT granted, spent, released INTO out_granted, out_spent, out_released
      FROM hub_lease WHERE station_id = me AND service_day = d;
    SELECT cap - leased - held_for_passes INTO out_free FROM hub_day WHERE service_day = d;
    out_granted := coalesce(out_granted, 0);
    out_spent := coalesce(out_spent, 0);
    out_released := coalesce(out_released, 0);
    out_free := coalesce(out_free, 0);
END $$;

-- Report what the station spent and gave back (counted on the station, never decreasing) and
-- renew its lease; returns what the hub says the station holds (it may have been reclaimed).
CREATE FUNCTION sentra_renew(d date, spends int, releases int, allowance int, ttl_s int, station_backlog int,
                             OUT out_granted int, OUT out_spent int, OUT out_released int, OUT out_free int)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    me text := sentra_me();
BEGIN
    UPDATE hub_lease SET spent = greatest(spent, spends), released = greatest(released, releases),
                         offline_allowance = allowance, renewed_at = now(),
                         expires_at = now() + make_interval(secs => ttl_s)
     WHERE station_id = me AND service_day = d
    RETURNING granted, spent, released INTO out_granted, out_spent, out_released;
    UPDATE hub_station SET last_contact = now(), backlog = station_backlog WHERE station_id = me;
    SELECT cap - leased - held_for_passes INTO out_free FROM hub_day WHERE service_day = d;
    out_granted := coalesce(out_granted, 0);
    out_spent := coalesce(out_spent, 0);
    out_released := coalesce(out_released, 0);
    out_free := coalesce(out_free, 0);
END $$;

-- One check-in while the hub is reachable, in one round trip: claim (person, day), then spend
-- the slot: the person's priority pass for today turns its held slot into one of this station's,
-- else one leased slot is spent (fenced: never more than the lease grants). A pass for a later
-- day gives its held slot back. Or say who has the claim already, or that nothing covers it.
CREATE FUNCTION sentra_admit(d date, reg uuid, visit uuid, ttl_s int, at_ timestamptz, has_slot boolean,
                             OUT out_status text, OUT out_station text, OUT out_visit uuid,
                             OUT out_at timestamptz, OUT out_pass uuid, OUT out_short text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    me text := sentra_me();
    c hub_claim;
    p hub_pass;
BEGIN
    INSERT INTO hub_claim (service_day, registration_id, station_id, visit_id, at) VALUES (d, reg, me, visit, at_)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        SELECT * INTO c FROM hub_claim WHERE service_day = d AND registration_id = reg;
        out_station := c.station_id; out_visit := c.visit_id; out_at := c.at;
        out_status := CASE WHEN c.visit_id = visit THEN 'again' ELSE 'claimed' END;
        RETURN;
    END IF;
    out_station := me; out_visit := visit; out_at := at_;
    SELECT * INTO p FROM hub_pass WHERE registration_id = reg AND used_at IS NULL AND valid_on >= d
     ORDER BY valid_on LIMIT 1 FOR UPDATE;
    IF FOUND AND p.valid_on = d THEN
        UPDATE hub_day SET held_for_passes = held_for_passes - 1, leased = leased + 1
         WHERE service_day = d AND held_for_passes > 0;
        IF FOUND THEN
            UPDATE hub_pass SET used_at = at_, used_by = me, used_visit = visit WHERE id = p.id;
            INSERT INTO hub_lease (station_id, service_day, granted, spent, expires_at)
            VALUES (me, d, 1, 1, now() + make_interval(secs => ttl_s))
            ON CONFLICT (station_id, service_day) DO UPDATE
               SET granted = hub_lease.granted + 1, spent = hub_lease.spent + 1, renewed_at = now(),
                   expires_at = now() + make_interval(secs => ttl_s);
            out_status := 'pass'; out_pass := p.id; out_short := p.short_id;
            RETURN;
        END IF;
    END IF;
    IF NOT has_slot THEN
        DELETE FROM hub_claim WHERE service_day = d AND registration_id = reg;
        out_status := 'no_slot';
        RETURN;
    END IF;
    UPDATE hub_lease SET spent = spent + 1, renewed_at = now(), expires_at = now() + make_interval(secs => ttl_s)
     WHERE station_id = me AND service_day = d AND spent - released < granted;
    IF NOT FOUND THEN
        DELETE FROM hub_claim WHERE service_day = d AND registration_id = reg;
        out_status := 'no_lease';
        RETURN;
    END IF;
    out_status := 'admitted';
    IF p.id IS NOT NULL AND p.valid_on > d THEN  -- served before their pass's day: its held slot goes back
        UPDATE hub_pass SET used_at = at_, used_by = me, used_visit = visit WHERE id = p.id;
        UPDATE hub_day SET held_for_passes = held_for_passes - 1 WHERE service_day = p.valid_on AND held_for_passes > 0;
        out_pass := p.id; out_short := p.short_id;
    END IF;
END $$;

-- A visit admitted while the station was cut off meets the hub: claim it, or record the conflict.
CREATE FUNCTION sentra_claim_late(d date, reg uuid, visit uuid, at_ timestamptz, OUT out_status text, OUT out_station text,
                                  OUT out_visit uuid)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    me text := sentra_me();
    c hub_claim;
BEGIN
    INSERT INTO hub_claim (service_day, registration_id, station_id, visit_id, at) VALUES (d, reg, me, visit, at_)
    ON CONFLICT DO NOTHING;
    IF FOUND THEN
        out_status := 'claimed'; out_station := me; out_visit := visit;
        RETURN;
    END IF;
    SELECT * INTO c FROM hub_claim WHERE service_day = d AND registration_id = reg;
    out_station := c.station_id; out_visit := c.visit_id;
    IF c.visit_id = visit THEN
        out_status := 'again';
    ELSE
        out_status := 'conflict';
        INSERT INTO hub_conflict (kind, registration_id, service_day, first_station, first_id, second_station,
                                  second_id, detail)
        VALUES ('visit', reg, d, c.station_id, c.visit_id, me, visit,
                'admitted at two stations on the same day while one was cut off from the hub')
        ON CONFLICT DO NOTHING;
    END IF;
END $$;

-- A claim whose local check-in never committed (the station crashed or its disk refused):
-- the station itself gives the claim and the slot back.
CREATE FUNCTION sentra_unclaim(d date, reg uuid, visit uuid) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    me text := sentra_me();
BEGIN
    DELETE FROM hub_claim WHERE service_day = d AND registration_id = reg AND visit_id = visit AND station_id = me;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE hub_lease SET spent = spent - 1 WHERE station_id = me AND service_day = d;
    RETURN true;
END $$;

-- Give back k unspent slots (the station already took them off its own count).
CREATE FUNCTION sentra_return(d date, k int, grant_id uuid) RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    me text := sentra_me();
    left_ int;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM hub_grant WHERE id = grant_id) THEN
        UPDATE hub_lease SET granted = granted - k
         WHERE station_id = me AND service_day = d AND k > 0 AND granted - k >= greatest(spent - released, 0);
        IF FOUND THEN
            UPDATE hub_day SET leased = leased - k WHERE service_day = d;
            INSERT INTO hub_grant (id, station_id, service_day, slots, reason) VALUES (grant_id, me, d, -k, 'returned');
        END IF;
    END IF;
    SELECT granted INTO left_ FROM hub_lease WHERE station_id = me AND service_day = d;
    RETURN coalesce(left_, 0);
END $$;

-- Someone is turned away: count them, and hold a slot for their priority pass on the first later
-- plan day with room; the pass is the venue's.
CREATE FUNCTION sentra_hold_pass(after date, pass_id uuid, pass_short text, reg uuid,
                                 OUT out_day date, OUT out_pass uuid, OUT out_already boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    me text := sentra_me();
    d date;
    p hub_pass;
BEGIN
    out_already := false;
    SELECT * INTO p FROM hub_pass WHERE id = pass_id;
    IF FOUND THEN  -- a retry of this very call
        out_day := p.valid_on; out_pass := p.id;
        RETURN;
    END IF;
    SELECT * INTO p FROM hub_pass WHERE registration_id = reg AND used_at IS NULL AND valid_on >= after
     ORDER BY valid_on LIMIT 1;
    IF FOUND THEN  -- sent home once already, from any station: the truth again, no second pass, counted once
        out_day := p.valid_on; out_pass := p.id; out_already := true;
        RETURN;
    END IF;
    UPDATE hub_day SET turned_away = turned_away + 1 WHERE service_day = after;
    FOR d IN SELECT service_day FROM hub_day WHERE service_day > after AND NOT closed ORDER BY service_day LOOP
        UPDATE hub_day SET held_for_passes = held_for_passes + 1
         WHERE service_day = d AND leased + held_for_passes < cap;
        IF FOUND THEN
            INSERT INTO hub_pass (id, short_id, registration_id, issued_by, issued_on, valid_on)
            VALUES (pass_id, pass_short, reg, me, after, d);
            out_day := d; out_pass := pass_id;
            RETURN;
        END IF;
    END LOOP;
END $$;

"""

STATION_FUNCTIONS = ("sentra_my_station()", "sentra_me()",
                     "sentra_lease(date, int, int, int, uuid)", "sentra_renew(date, int, int, int, int, int)",
                     "sentra_admit(date, uuid, uuid, int, timestamptz, boolean)", "sentra_claim_late(date, uuid, uuid, timestamptz)",
                     "sentra_unclaim(date, uuid, uuid)", "sentra_return(date, int, uuid)",
                     "sentra_hold_pass(date, uuid, text, uuid)")
INTERNAL_FUNCTIONS = ("sentra_close_before(date)", "sentra_reclaim(date, text)", "sentra_touch(text, int)")

ALL_TABLES = ("hub_plan", "hub_day", "hub_station", "hub_lease", "hub_grant", "hub_claim", "hub_pass",
              "hub_registration", "hub_record", "hub_visit", "hub_dose", "hub_conflict")
OWN_ROWS = {"hub_record": "station_id", "hub_visit": "station_id", "hub_dose": "station_id",
            "hub_registration": "created_by", "hub_conflict": "second_station"}


def upgrade() -> None:
    op.execute(TABLES)
    op.execute(FUNCTIONS)
    op.execute("""DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sentra_station') THEN
            CREATE ROLE sentra_station NOLOGIN;
        END IF;
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO sentra_station', current_database());
        END $$""")
    for fn in STATION_FUNCTIONS + INTERNAL_FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {fn} FROM PUBLIC")
    for fn in STATION_FUNCTIONS:
        op.execute(f"GRANT EXECUTE ON FUNCTION {fn} TO sentra_station")
    op.execute(f"GRANT SELECT ON {', '.join(ALL_TABLES)} TO sentra_station")
    op.execute(f"GRANT INSERT ON {', '.join(OWN_ROWS)} TO sentra_station")
    op.execute("GRANT UPDATE (state) ON hub_visit TO sentra_station")
    op.execute("GRANT USAGE ON SEQUENCE hub_rev, hub_conflict_id_seq TO sentra_station")
    for table, column in OWN_ROWS.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {table}_read ON {table} FOR SELECT USING (true)")
        op.execute(f"CREATE POLICY {table}_own_insert ON {table} FOR INSERT WITH CHECK ({column} = sentra_my_station())")
    op.execute("CREATE POLICY hub_visit_own_update ON hub_visit FOR UPDATE USING (station_id = sentra_my_station())")


def downgrade() -> None:
    for fn in STATION_FUNCTIONS + INTERNAL_FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {fn}")
    op.execute(f"DROP TABLE IF EXISTS {', '.join(reversed(ALL_TABLES))}")
    op.execute("DROP SEQUENCE IF EXISTS hub_rev")
