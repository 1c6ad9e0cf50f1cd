"""Words the attendee and the slips use, in Bahasa Indonesia and English.

``say(key, lang, **fields)`` gives one language; ``both`` gives (first, second) so attendee
screens and slips can show the venue's language with the other beneath.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "scan_prompt": {"id": "Pindai QR Anda atau ketik NIK", "en": "Scan your QR or type your NIK"},
    "admitted": {"id": "Silakan ke meja skrining. Nomor antrean {queue}", "en": "Please go to the screening desk. Queue number {queue}"},
    "already_checked_in": {"id": "Sudah check-in pukul {time} (antrean {queue})", "en": "Already checked in at {time} (queue {queue})"},
    "full": {"id": "Kuota hari ini penuh. Datang lagi {date}, tanpa antre", "en": "Today is full. Come back on {date}, no queue"},
    "pass_held": {"id": "Kuota hari ini penuh. Tiket prioritas Anda berlaku {date}: datang lagi tanpa antre",
                  "en": "Today is full. Your priority pass is for {date}: come back then, no queue"},
    "full_pass": {"id": "Tiket prioritas Anda sedang dicetak", "en": "Your priority pass is being printed"},
    "not_registered": {"id": "Belum terdaftar. Silakan ke petugas", "en": "Not registered. Please see staff"},
    "unrecognised": {"id": "Kode tidak dikenali. Silakan ke petugas", "en": "Code not recognised. Please see staff"},
    "too_early": {"id": "Dosis berikutnya paling cepat {date}", "en": "Your next dose is not before {date}"},
    "plan_over": {"id": "Tidak ada lagi kuota vaksin di lokasi ini. Silakan ke petugas", "en": "No more doses are planned here. Please see staff"},
    "full_no_pass": {"id": "Kuota hari ini penuh. Silakan datang lagi besok, atau ke petugas",
                     "en": "Today is full. Please come back tomorrow, or see staff"},
    "already_elsewhere": {"id": "Sudah check-in hari ini pukul {time} di meja lain", "en": "Already checked in today at {time} at another station"},
    "appointment_later": {"id": "Jadwal Anda tanggal {date}: silakan datang pada hari itu",
                          "en": "Your appointment is on {date}: please come that day"},
    "appointment_missed": {"id": "Jadwal Anda tanggal {date} sudah lewat. Silakan ke petugas",
                           "en": "Your appointment was on {date}. Please see staff"},
    "pass_not_today": {"id": "Tiket prioritas ini berlaku {date}", "en": "This priority pass is valid on {date}"},
    "pass_used": {"id": "Tiket prioritas ini sudah dipakai pukul {time}", "en": "This priority pass was already used at {time}"},
    "pass_unknown": {"id": "Tiket prioritas tidak dikenal. Silakan ke petugas", "en": "Unknown priority pass. Please see staff"},
    "forged": {"id": "Kode tidak sah. Silakan ke petugas", "en": "This code is not valid. Please see staff"},
    "card_scanned": {"id": "Ini kartu vaksin. Silakan ke meja kartu", "en": "This is a vaccination card. Please go to the card desk"},
    "card_title": {"id": "KARTU VAKSIN SEMENTARA", "en": "TEMPORARY VACCINATION CARD"},
    "pass_title": {"id": "TIKET PRIORITAS", "en": "PRIORITY PASS"},
    "pass_note": {"id": "Datang {date} tanpa antre, tunjukkan tiket ini", "en": "Come on {date}, no queue: show this pass"},
    "card_note": {"id": "Tukarkan kartu ini dengan sertifikat nasional", "en": "Exchange this card for the national certificate"},
    "next_dose": {"id": "Dosis berikutnya", "en": "Next dose"},
    "ticket_next": {"id": "Silakan ke meja skrining", "en": "Please go to the screening desk"},
    "card_at_desk": {"id": "Kartu Anda akan dicetak di meja petugas", "en": "Your card will be printed at the desk"},
    "ticket_at_desk": {"id": "Tiket Anda akan dicetak di meja petugas", "en": "Your ticket will be printed at the desk"},
}


def say(key: str, lang: str, **fields: object) -> str:
    """The message in ``lang`` ("id" or "en") with its fields filled in."""
    entry = MESSAGES[key]
    return entry.get(lang, entry["en"]).format(**fields)


def both(key: str, lang: str, **fields: object) -> tuple[str, str]:
    """The message in ``lang`` first, then in the other language."""
    other = "en" if lang == "id" else "id"
    return say(key, lang, **fields), say(key, other, **fields)
