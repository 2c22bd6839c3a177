"""SMS segments and encoding (GSM-7 with its extension set, UCS-2 with surrogate pairs), and the composer's script
counting exactly as the Python module does on the same samples (run with node)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from civicdesk.channels.sms_segments import GSM7, UCS2, count

SCRIPT = Path(__file__).resolve().parents[1] / "static" / "channels" / "sms_segments.js"

# (text, encoding, segments, units)
SAMPLES: list[tuple[str, str, int, int]] = [
    ("", GSM7, 0, 0),
    ("Hello", GSM7, 1, 5),
    ("a" * 160, GSM7, 1, 160),
    ("a" * 161, GSM7, 2, 161),
    ("a" * 306, GSM7, 2, 306),
    ("a" * 307, GSM7, 3, 307),
    ("€" * 80, GSM7, 1, 160),  # the euro sign is in the extension set: two septets
    ("€" * 81, GSM7, 2, 162),
    ("^{}[]~|\\", GSM7, 1, 16),
    ("a" * 152 + "€" + "a" * 152, GSM7, 3, 306),  # the € does not fit in the first part's last septet
    ("a" * 153 + "€", GSM7, 1, 155),
    ("Café à l'école: ÑÜÄÖ ¿¡ £$¥ @_", GSM7, 1, 30),
    ("line one\nline two\r\n", GSM7, 1, 19),
    ("ç", UCS2, 1, 1),  # lower-case ç is not in GSM-7 (only Ç is)
    ("Thanks 😀", UCS2, 1, 9),  # an emoji is a surrogate pair: two UTF-16 units
    ("😀" * 35, UCS2, 1, 70),
    ("😀" * 36, UCS2, 2, 72),
    ("a" * 66 + "😀", UCS2, 1, 68),
    ("a" * 70 + "é" + "ß" + "—", UCS2, 2, 73),  # an em dash makes the whole text UCS-2
    ("a" * 66 + "😀" + "a" * 67, UCS2, 3, 135),  # the pair is never split across parts
    ("“Smart quotes”", UCS2, 1, 14),
    ("\f", GSM7, 1, 2),
    ("x" * 1530, GSM7, 10, 1530),
    ("x" * 1377, GSM7, 9, 1377),
]


@pytest.mark.parametrize(("text", "encoding", "segments", "units"), SAMPLES)
def test_segments_and_encoding_follow_the_gsm_and_ucs2_rules(text: str, encoding: str, segments: int,
                                                             units: int) -> None:
    counted = count(text)
    assert (counted.encoding, counted.segments, counted.units) == (encoding, segments, units)
    assert counted.characters == len(text)


def test_the_remaining_room_is_of_the_last_part() -> None:
    assert count("a" * 150).remaining == 10
    assert count("a" * 161).remaining == 153 - 8
    assert count("😀").remaining == 68


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_composers_script_counts_exactly_like_the_python_module() -> None:
    texts = [sample[0] for sample in SAMPLES] + ["Ünïcödé ✓ done", "€" * 77 + "a" * 100, "🇺🇸 flag", "\u0301e"]
    program = ("const s = require(process.argv[1]); let data = ''; process.stdin.on('data', c => data += c);"
               "process.stdin.on('end', () => process.stdout.write(JSON.stringify(JSON.parse(data).map(s.count))));")
    result = subprocess.run(["node", "-e", program, str(SCRIPT)], input=json.dumps(texts), capture_output=True,
                            text=True, check=True, timeout=30)
    from_js = json.loads(result.stdout)
    for text, js in zip(texts, from_js, strict=True):
        py = count(text)
        assert js == {"encoding": py.encoding, "segments": py.segments, "units": py.units,
                      "characters": py.characters, "remaining": py.remaining}, text
