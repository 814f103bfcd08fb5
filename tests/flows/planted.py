"""Generated articles for the row-level tests: good ones, and one planted failure per content check."""

from __future__ import annotations

TOWNS = (
    "Bogor", "Depok", "Bekasi", "Cianjur", "Garut", "Subang", "Karawang", "Sumedang", "Tasikmalaya", "Ciamis",
    "Kuningan", "Majalengka", "Indramayu", "Purwakarta", "Sukabumi", "Cirebon", "Banjar", "Pangandaran",
)  # fmt: skip
TOPICS = (
    ("pasar rakyat", "pedagang kecil", "menata lapak di sepanjang jalan utama"),
    ("jembatan gantung", "warga desa", "menyeberangi sungai saat musim hujan"),
    ("puskesmas", "tenaga kesehatan", "melayani pasien dari kecamatan tetangga"),
    ("sekolah dasar", "guru honorer", "mengajar di ruang kelas yang baru direnovasi"),
    ("irigasi sawah", "kelompok tani", "mengairi lahan pada musim kemarau"),
)
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober")


def good_article(i: int, date_line: str | None = None) -> str:
    """A plausible article, distinct for every i (its own town, topic, numbers and date)."""
    town = TOWNS[i % len(TOWNS)]
    place, people, purpose = TOPICS[(i // len(TOWNS)) % len(TOPICS)]
    day = 1 + i % 27
    month = MONTHS[i % len(MONTHS)]
    date_line = date_line or f"Senin, {day} {month} 2024 10:{i % 60:02d} WIB"
    return (
        f"{date_line}\n\n"
        f"Pemerintah Kabupaten {town} meresmikan {place} baru senilai {i + 3} miliar rupiah pada pekan ini.\n\n"
        f"Kepala dinas setempat mengatakan fasilitas itu dibangun agar {people} tidak lagi kesulitan {purpose}. "
        f"Pembangunan berlangsung selama {i % 11 + 4} bulan dan melibatkan {i * 7 % 90 + 20} pekerja dari desa sekitar.\n\n"
        f"Warga {town} menyambut baik peresmian itu. Seorang tokoh masyarakat berharap perawatan {place} "
        f"dianggarkan setiap tahun supaya manfaatnya bertahan lama bagi generasi berikutnya, termasuk {i} keluarga "
        f"yang tinggal paling dekat dengan lokasi.\n"
    )


def planted_files() -> dict[str, str]:
    """One file per content check an article can fail on its own (the reason is the file's stem)."""
    long_body = "\n".join(
        f"Paragraf {n} laporan panjang ini menguraikan rincian anggaran daerah tahun berjalan secara lengkap dan berurutan."
        for n in range(2_000)
    )
    return {
        # A link-out marker glued into a sentence, which the (reduced) rule library in the test does not strip.
        "body_boilerplate_marker.txt": good_article(900).replace(
            "pada pekan ini.", "pada pekan ini. Baca juga: Harga Cabai di Pasar Induk Turun Lagi"
        ),
        "future_published_date.txt": good_article(901, date_line="Senin, 12 Januari 2099 10:00 WIB"),
        "implausible_published_date.txt": good_article(902, date_line="Senin, 14 Januari 1985 10:00 WIB"),
        "body_too_short.txt": "Singkat: banjir surut, warga pulang.\n",
        "body_too_long.txt": good_article(903) + long_body + "\n",
    }


SLOGANS = {
    "kabarkita": "Kabar Kita hadir menemani pembaca setia di seluruh penjuru Nusantara setiap hari.",
    "warta_desa": "Ikuti kabar terbaru dari desa Anda hanya di Warta Desa, sumber berita warga.",
}


def mixed_folder(root, n_articles: int = 240) -> None:
    """Write a folder of real-like articles under two outlets: furniture to learn, exact and near copies, bad files."""
    from pathlib import Path

    for outlet in SLOGANS:
        (Path(root) / outlet).mkdir(parents=True, exist_ok=True)
    for i in range(n_articles):
        outlet = list(SLOGANS)[i % 2]
        text = good_article(i) + f"\n{SLOGANS[outlet]}\nBaca juga: Pasar Rakyat Nomor {i} Ramai Dikunjungi Warga\n"
        path = Path(root) / outlet / f"{i:04d}.txt"
        path.write_text(text, encoding="utf-8")
        if i % 25 == 3:  # the same article again with CRLF line ends: an exact duplicate of different bytes
            (Path(root) / outlet / f"{i:04d}_crlf.txt").write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
        if i % 40 == 7:  # a near copy: one sentence added
            (Path(root) / outlet / f"{i:04d}_near.txt").write_text(text + "Laporan ini diperbarui sore hari.\n", encoding="utf-8")
    (Path(root) / "kabarkita" / "zz_empty.txt").write_bytes(b"")
