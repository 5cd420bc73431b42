"""Turn the bytes of a text or HTML file into text, detecting the encoding from the bytes.

Order of decisions (cheapest and most certain first):

1. A byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE) decides.
2. NUL bytes: a BOM-less UTF-16 file shows them in a parity pattern (the high byte of every
   ASCII character); any other NUL-bearing file is binary junk, except trailing NUL padding.
3. A strict UTF-8 decode: the common case, done in C, so it is fast.
4. The Chinese legacy encodings (GB18030 ⊃ GBK ⊃ GB2312, and Big5/CP950/Big5-HKSCS), plus
   BOM-less UTF-16 for even-length input: every candidate that decodes strictly is scored by
   how much of its text is common Chinese (GB2312 level-1 hanzi, their traditional forms, CJK
   punctuation) against how much is mojibake (kana, hangul, box drawing, private use, …).
   Big5 read as GBK and GBK read as Big5 both decode "successfully" but score far lower.
5. A Chinese decoding with a few damaged bytes (≤ 2% replaced), a declared non-Chinese
   charset, then charset-normalizer for whatever is left (non-Chinese single-byte text).

The result is checked for binary junk (control characters) before it is returned.
"""
from __future__ import annotations

import codecs
import functools
import re
import unicodedata

import numpy as np

from nianbao.readers.document import UnreadableFile

__all__ = ["decode_bytes", "normalise_encoding_name"]

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    # (bom, codec used to decode, name reported)
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32-le"),  # before UTF-16 LE: it starts with FF FE
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16-be"),
)

# Declared names (from <meta charset> and the like) mapped to the codec we decode with.
_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "x-gbk": "gb18030",
    "cp936": "gb18030", "ms936": "gb18030", "windows-936": "gb18030", "euc-cn": "gb18030",
    "hz-gb-2312": "hz",
    "big5": "big5", "big-5": "big5", "cn-big5": "big5", "x-x-big5": "big5", "csbig5": "big5",
    "cp950": "cp950", "ms950": "cp950", "windows-950": "cp950",
    "big5-hkscs": "big5hkscs", "big5hkscs": "big5hkscs",
    "utf-8": "utf-8", "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8",
    "utf-16": "utf-16", "utf-16le": "utf-16-le", "utf-16be": "utf-16-be",
}

_CJK_FAMILY = {"gb18030", "big5", "cp950", "big5hkscs", "hz"}

# Trailing context for score sampling: scoring the first N characters is enough.
_SCORE_SAMPLE = 20_000
# Control characters other than these make a text "binary".
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v\x1a\x1b")  # keep in step with _CONTROL_RE


def normalise_encoding_name(name: str | None) -> str | None:
    """Map a declared charset label to the codec name this module decodes with (or None)."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower().replace("_", "-")
    if label in _ALIASES:
        return _ALIASES[label]
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_bytes(data: bytes, hint: str | None = None) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding name)``.

    ``hint`` is an optional declared charset (e.g. from ``<meta charset>``): it is trusted
    only for the Chinese multi-byte encodings and only if the bytes decode strictly with it;
    a BOM or valid UTF-8 always wins over it. Raises :class:`UnreadableFile` for binary junk.
    """
    data = bytes(data)
    if not data:
        return "", "utf-8"

    # 1. Byte-order marks.
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                break  # a BOM-like prefix on something else: fall through to detection
            if codec in ("utf-16", "utf-32") and text.startswith("\ufeff"):
                text = text[1:]
            _check_not_binary(text, name, check_unassigned=False)
            return text, name

    # 2. NUL bytes: BOM-less UTF-16, NUL padding, or binary junk.
    if b"\x00" in data:
        found = _try_bomless_utf16(data)
        if found is not None:
            return found
        stripped = data.rstrip(b"\x00")  # text padded with NULs at the end
        stray = stripped.count(0)
        if not stripped or stray > len(stripped) // 1000:
            raise UnreadableFile(
                f"binary data: {data.count(0)} NUL bytes in a file that is not UTF-16 text"
            )
        data = stripped.replace(b"\x00", b"") if stray else stripped  # a rare stray NUL

    # 3. Strict UTF-8: the common case.
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            # A file cut off inside its last character (an interrupted download).
            text = data[: exc.start].decode("utf-8", errors="replace") + "\ufffd"
            _check_not_binary(text, "utf-8", check_unassigned=False)
            return text, "utf-8"
    else:
        if not text.isascii() and not _BEYOND_2_BYTES.search(text) and _implausible_utf8(text):
            # Only 2-byte UTF-8 sequences, mostly in blocks a report never uses: a short GBK
            # or Big5 text can look like that by accident ("确" is C8 B7, UTF-8 for "ȷ").
            legacy = _best_strict_candidate(data)
            if legacy is not None and legacy[0] >= 0.9:
                _check_not_binary(legacy[1], legacy[2])
                return legacy[1], legacy[2]
        _check_not_binary(text, "utf-8", check_unassigned=False)
        return text, "utf-8"

    # 4a. A declared Chinese encoding that decodes strictly.
    codec = normalise_encoding_name(hint)
    if codec in _CJK_FAMILY:
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass
        else:
            if _score(text) > 0.3:
                _check_not_binary(text, codec)
                return text, codec

    # 4b. Score the Chinese candidates that decode strictly.
    best = _best_strict_candidate(data)
    if best is not None and best[0] >= 0.5:
        _check_not_binary(best[1], best[2])
        return best[1], best[2]

    # 5. Not clean Chinese in any encoding: a Chinese decoding with a few damaged bytes, then
    #    a declared non-Chinese charset that decodes strictly, then charset-normalizer.
    lenient = _lenient_chinese(data)
    if lenient is not None:
        return lenient
    if codec and codec not in _CJK_FAMILY:
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass
        else:
            _check_not_binary(text, codec)
            return text, codec
    normalized = _charset_normalizer(data)
    if normalized is not None:
        return normalized
    if best is not None and best[0] > 0:
        _check_not_binary(best[1], best[2])
        return best[1], best[2]
    raise UnreadableFile("undecodable text: not valid UTF-8, GB18030, Big5 or UTF-16")


# -- helpers ---------------------------------------------------------------------------------


def _try_bomless_utf16(data: bytes) -> tuple[str, str] | None:
    sample = data[:65536]
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    # LE: ASCII characters put their NUL high byte at odd offsets; BE at even ones. CJK
    # characters like 一 (U+4E00) put a NUL on the other parity, so the pattern only orders
    # the tries; the decoded text decides.
    orders = ["utf-16-le", "utf-16-be"] if odd >= even else ["utf-16-be", "utf-16-le"]
    body = data if len(data) % 2 == 0 else data[:-1]
    best: tuple[float, str, str] | None = None
    for codec in orders:
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            continue
        if _control_ratio(text) > 0.02:
            continue
        score = _score(text)
        if score >= 0.5 and (best is None or score > best[0] + 1e-9):
            best = (score, text, codec)
    if best is None:
        return None
    return best[1], best[2]


def _implausible_utf8(text: str) -> bool:
    """Most non-ASCII characters are IPA/Latin Extended-B/combining marks or in the
    Armenian-to-NKo blocks (what GBK/Big5 bytes become when read as 2-byte UTF-8)."""
    odd = total = 0
    for ch in text[:_SCORE_SAMPLE]:
        o = ord(ch)
        if o >= 0x80:
            total += 1
            if 0x0180 <= o <= 0x036F or 0x0530 <= o <= 0x07FF:
                odd += 1
    return total > 0 and odd * 2 > total


def _best_strict_candidate(data: bytes) -> tuple[float, str, str] | None:
    """(score, text, codec) of the best-scoring strict decoding; ties go to the earlier
    candidate (GB18030, the mainland encoding, before Big5)."""
    best: tuple[float, str, str] | None = None
    for name, text in _strict_candidates(data):
        score = _score(text)
        if best is None or score > best[0] + 1e-9:
            best = (score, text, name)
    return best


def _strict_candidates(data: bytes):
    for codec in ("gb18030",):
        try:
            yield codec, data.decode(codec)
        except UnicodeDecodeError:
            pass
    for codec in ("big5", "cp950", "big5hkscs"):  # the first of the Big5 family that works
        try:
            yield codec, data.decode(codec)
            break
        except UnicodeDecodeError:
            continue
    if len(data) % 2 == 0:
        for codec in ("utf-16-le", "utf-16-be"):
            try:
                yield codec, data.decode(codec)
            except UnicodeDecodeError:
                pass


def _lenient_chinese(data: bytes) -> tuple[str, str] | None:
    """A Chinese decoding with a few bad bytes (a damaged file): accept if at most 2% of the
    characters are replacements (U+FFFD) and the rest scores as Chinese."""
    best: tuple[float, str, str] | None = None
    for codec in ("utf-8", "gb18030", "big5", "cp950"):
        text = data.decode(codec, errors="replace")
        bad = text.count("\ufffd")
        if bad > max(2, len(text) // 50):
            continue
        score = _score(text)
        if score >= 0.5 and (best is None or score > best[0]):
            best = (score, text, codec)
    if best is None:
        return None
    _check_not_binary(best[1], best[2])
    return best[1], best[2]


def _charset_normalizer(data: bytes) -> tuple[str, str] | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - pinned dependency
        return None
    match = from_bytes(data[:200_000]).best()
    if match is None:
        return None
    codec = match.encoding
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        text = data.decode(codec, errors="replace")
        if text.count("\ufffd") > max(1, len(text) // 100):
            return None
    _check_not_binary(text, codec)
    return text, codec


# ``max(text) < "\u0800"`` without iterating the text in Python: a regex stops at the first
# character that takes 3+ bytes in UTF-8 (in Chinese text, the first hanzi).
_BEYOND_2_BYTES = re.compile("[\u0800-\U0010ffff]")


def _has_non_ascii(text: str) -> bool:
    return not text.isascii()


# Traditional forms of the GB2312 level-1 hanzi that are not themselves in that set
# (generated once with OpenCC s2t + s2tw + s2hk; kept as data so import stays cheap).
_TRADITIONAL_EXTRA = (
    "丟並亂亞佔來侖侶俠倆倉個們倫偉側偵偽傑傘備傭傳債傷傾僅僑僕僞僥僱價儀億儈儉償優儲兇兌兒內兩冊冪凍凜凱別刪則剎剛剝剮創劃劇"
    "劉劊劍劑勁動務勝勞勢勳勵勸勻匯區協卻厭厲參叄叢吳吶呂員問啓啞啟喚喪喫喬單喲嗆嗎嗚嘆嘔嘗嘯噓噴噸嚇嚨嚴囂囑囪國圍園圓圖團執"
    "堅堯報場塊塗塢塵塹墊墜墮墳墾壇壓壘壞壟壩壯壺壽夠夢夥夾奧奪奮妝娛婁婦媽嬌嬰嬸孫學孿宮寢實寧審寫寬寵寶將專尋對導屆屍屜屢層"
    "屬岡峯島峽崗嶄嶺嶼嶽巋巒巖帥師帳帶幀幟幣幫幹幾庫廁廂廄廈廚廟廠廢廣廬廳張強彈彌彎彥後徑從復徵徹恆恥悅悶悽惡惱愛態慘慚慣慫"
    "慮慶憂憊憐憑憚憤憫憲憶懇應懲懶懷懸懼懾戀戰戲戶拋挾掃掄掙掛採揀揚換揮損搖搗搶摟摯摳摻撈撐撓撣撥撫撲撻撾撿擁擄擇擊擋擔據擠"
    "擬擯擰擱擲擴擺擻擾攆攏攔攙攜攝攢攣攤攪攬敍敗敘敵數斂斃斬斷於時晉晝暈暢暫曉曠曬書會東柵條棄棗棟棧棲楊楓業極榮構槍槓槳樁樂"
    "樓標樞樣樸樹橋機橢橫檔檢檸檻櫃櫥櫻欄權欽歐歡歲歷歸殘殲殺殼毀毆氈氣氫汙決沒況洩洶涼淚淨淪淵淺渙減渦測渾湊湧湯準溝溫溼滄滅"
    "滌滬滯滲滷滾滿漁漚漢漣漬漲漸漿潑潔潛潤潰澀澆澇澗澤澱濁濃濕濘濟濤濫濰濱濺濾瀉瀕瀝瀾灑灘灣灤災為烏烴無煉煙煥煩熒熱熾燈燒燙"
    "營燦燭燴燻燼爍爐爛爭爲爺爾牀牆牽犢犧狀狹狽猙猶獄獅獎獨獰獲獵獸獺獻現琺瑣瑤瑩瑪環瓊甕產畝畢畫異當疇疊痙痺瘋瘍瘓瘡瘧療癟癡"
    "癢癬癰癱發皁皚皺盜盞盡監盤盧眾睜瞞矚矯硯碩確碼磚礎礙礦礫礬祕祿禍禮禱禿稅稈稜種稱積穎穢穩窩窪窮窯窺竄竅竈竊競筆筍箋節範築"
    "篩簍簡簾籃籌籠籤籬籮籲粵糞糧糾紀約紅紉紋納紐純紗紙級紛紡細紳紹終組絆結絕絛絞絡絢給絨統絲絹綁綏經綜綠綢維綱網綴綸綻綽綿緊"
    "緒緘線緝緞締緣編緩緬緯練縛縣縫縮縱縷總績繃織繕繞繡繩繪繭繳繹繼續纏纓纖纜缽罰罵罷羅羣羨義習翹聖聞聯聰聲聳聶職聽聾肅脅脈脣"
    "脫脹腎腦腫腳腸膚膠膩膽膿臉臍臘臥臨臺與興舉舊艙艦艱茲荊莊莖莢華萊萬葉葦葷蒼蓋蓮蔣蔥蔭蕩蕪蕭薊薔薦薩藍藝藥藴藹蘆蘇蘊蘋蘭蘿"
    "處虛虜號虧蛻蝕蝦蝨蝸螞螢蟄蟬蟲蟻蠅蠍蠟蠱蠶蠻衆術衛衝衞裏補裝裡褲襖襪襯襲見規覓視親覺覽觀觸訂訃計訊討訓訖記訛訝訟訣訪設許"
    "訴診詐評詛詞詠詢詣試詩詫詭話該詳誅誇認誕誘語誠誡誣誤誦誨說説誰課誹誼調諄談請諒論諜諧諮諱諷諸諺諾謀謂謄謅謊謎謗謙講謝謠謬"
    "謹謾譁證譏識譚譜譯議譴護譽讀變讒讓讕豈豎豐豔豬貓貝貞負財貢貧貨販貪貫責貯貳貴貶買貸費貼貿賀賂賃賄資賈賊賒賓賜賞賠賢賣賤賦"
    "質賬賭賴賺購賽贅贈贊贍贏贓贖贛趕趙趨跡踐踴蹤躊躍躥軀車軋軌軍軒軟軸較載輔輕輛輝輥輩輪輯輸輻輾輿轄轅轉轍轎轟辦辭辮辯農這連"
    "進遊運過達違遙遜遞遠適遲遷選遺遼邁還邊邏郵鄉鄒鄖鄧鄭鄰鄲醖醜醞醫醬釀釁釋釐釘針釣釩釺鈉鈍鈎鈔鈕鈞鈣鈴鈾鉀鉑鉗鉚鉛鉢鉤鉸鉻"
    "銀銅銑銘銜銥銳銷銻鋁鋅鋇鋒鋤鋪鋭鋸鋼錄錐錘錠錢錦錨錫錯錳鍁鍋鍍鍘鍛鍬鍵鍺鍾鎂鎊鎖鎢鎬鎮鎳鏈鏟鏡鏽鐐鐮鐳鐵鑄鑑鑰鑲鑷鑼鑽鑿"
    "長門閃閉開閏閒間閘閡閣閥閨閩閱閲閹閻闊闌闖關闡闢陝陣陰陳陸陽隊階隕際隨險隱隴隸雖雙雛雜雞離難雲電霧靈靜鞏韋韌韓韻響頁頂頃"
    "項順須頌預頑頒頓頗領頤頭頰頸頹頻顆題額顏願顛類顧顫顯顱顴風飄飛飢飯飲飼飽飾餃餅養餌餒餓餘餞餡館餾饅饋饒饞馬馭馮馱馳馴駁駐"
    "駒駕駛駝駭駱駿騁騎騙騰騷騾驅驕驗驚驟驢骯髒體鬥鬧鬱魚魯鮑鮮鯉鯨鰓鱉鱗鳥鳳鳴鴉鴕鴛鴦鴨鴻鴿鵑鵝鵬鵲鶴鷗鷹鹹鹼鹽麗麥麼黃點黨"
    "黴齊齋齒齡齧齲龍龐龔龜"
)


@functools.cache
def _common_hanzi() -> frozenset[str]:
    """GB2312 level-1 hanzi (the 3755 most used simplified characters) and their
    traditional forms: what Chinese report text is overwhelmingly made of."""
    simplified = "".join(
        bytes((lead, trail)).decode("gb2312")
        for lead in range(0xB0, 0xD8)
        for trail in range(0xA1, 0xFF)
        if not (lead == 0xD7 and trail > 0xF9)
    )
    return frozenset(simplified) | frozenset(_TRADITIONAL_EXTRA)


def _score(text: str) -> float:
    """How much the non-ASCII part of ``text`` looks like Chinese: 1.0 for clean common
    hanzi and CJK punctuation, lower for rare hanzi, negative for mojibake.

    Each character of the sample falls in one class of _score_table(); the classes are
    counted with numpy rather than character by character (the same figures, faster)."""
    sample = text[:_SCORE_SAMPLE]
    codes = _code_points(sample)
    bmp = codes < 0x10000
    counts = np.bincount(_score_table()[codes[bmp]], minlength=_N_CLASSES)
    astral = codes[~bmp]
    if astral.size:
        ext = int(np.count_nonzero((astral >= 0x20000) & (astral <= 0x3FFFF)))
        counts[_EXT] += ext
        counts[_BAD] += astral.size - ext
    common, rare, punct, bad, ctrl = (int(counts[k]) for k in (_COMMON, _RARE, _PUNCT, _BAD, _CTRL))
    n = common + rare + punct + int(counts[_EXT]) + bad + ctrl
    if n == 0:
        return 1.0
    good = common + 0.25 * rare + punct
    return (good - (bad + ctrl)) / n


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


# character classes of _score (BMP code points; astral ones are classed in _score itself)
_ASCII, _CTRL, _COMMON, _RARE, _PUNCT, _EXT, _BAD = range(7)
_N_CLASSES = 7
_SCORE_PUNCT_RANGES = (
    (0x3000, 0x303F),  # CJK punctuation, 〔〕《》
    (0xFF01, 0xFF5E),  # full-width ASCII
    (0x2010, 0x2027),  # dashes, quotes “”, …
    (0x2460, 0x24FF),  # ①
    (0x3220, 0x3243),  # ㈠
    (0x2160, 0x217F),  # Ⅰ
)
_SCORE_PUNCT_SINGLE = (0x00A0, 0x00B7, 0x00D7, 0x00F7, 0x2030, 0x2103, 0x2116, 0x203B, 0xFFE5)


@functools.cache
def _score_table() -> np.ndarray:
    """Class of every BMP code point, in the order _score tests them."""
    table = np.full(0x10000, _BAD, dtype=np.uint8)
    table[0xF900:0xFB00] = _EXT  # extension / compatibility hanzi: neither good nor bad
    table[0x3400:0x4DC0] = _EXT
    for lo, hi in _SCORE_PUNCT_RANGES:
        table[lo:hi + 1] = _PUNCT
    table[list(_SCORE_PUNCT_SINGLE)] = _PUNCT
    table[0x4E00:0xA000] = _RARE  # a real but uncommon hanzi
    table[[ord(ch) for ch in _common_hanzi()]] = _COMMON
    table[0:0x80] = _ASCII
    table[[o for o in range(0x20) if chr(o) not in _ALLOWED_CONTROLS]] = _CTRL
    return table


@functools.cache
def _unassigned_table() -> np.ndarray:
    """True for the BMP code points this Python's Unicode data calls unassigned, private use
    or surrogate (Cn, Co, Cs)."""
    return np.array([unicodedata.category(chr(o)) in ("Cn", "Co", "Cs") for o in range(0x10000)], dtype=bool)


def _count_unassigned(text: str) -> int:
    codes = _code_points(text)
    bmp = codes < 0x10000
    count = int(np.count_nonzero(_unassigned_table()[codes[bmp]]))
    if not bmp.all():
        count += sum(1 for o in codes[~bmp].tolist() if unicodedata.category(chr(o)) in ("Cn", "Co", "Cs"))
    return count


_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x19\x1c-\x1f\x7f-\x9f]")


def _control_ratio(text: str) -> float:
    sample = text[:_SCORE_SAMPLE]
    if not sample or not _CONTROL_RE.search(sample):  # the common case: no control character
        return 0.0
    return len(_CONTROL_RE.findall(sample)) / len(sample)


def _check_not_binary(text: str, encoding: str, *, check_unassigned: bool = True) -> None:
    ratio = _control_ratio(text)
    if ratio > 0.05:
        raise UnreadableFile(
            f"binary data: {ratio:.0%} of the characters are control characters "
            f"(decoded as {encoding})"
        )
    sample = text[:_SCORE_SAMPLE]
    if check_unassigned and sample and not sample.isascii():
        unassigned = _count_unassigned(sample)
        if unassigned / len(sample) > 0.2:
            raise UnreadableFile(
                f"binary data: {unassigned / len(sample):.0%} of the characters are "
                f"unassigned or private-use code points (decoded as {encoding})"
            )
