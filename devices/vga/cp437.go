package vga

// cp437Glyphs lists what the VGA's code page 437 font draws for each byte,
// 0x00 to 0xFF, 16 to a line: the graphic symbols below 0x20, ASCII, the
// house at 0x7F, then accented letters, box drawing, Greek and mathematical
// signs. Byte 0x00 draws nothing and is given as a space; 0xFF is a
// no-break space.
const cp437Glyphs = "" +
	" ☺☻♥♦♣♠•◘○◙♂♀♪♫☼" + // 0x00
	"►◄↕‼¶§▬↨↑↓→←∟↔▲▼" + // 0x10
	" !\"#$%&'()*+,-./" + // 0x20
	"0123456789:;<=>?" + // 0x30
	"@ABCDEFGHIJKLMNO" + // 0x40
	"PQRSTUVWXYZ[\\]^_" + // 0x50
	"`abcdefghijklmno" + // 0x60
	"pqrstuvwxyz{|}~⌂" + // 0x70
	"ÇüéâäàåçêëèïîìÄÅ" + // 0x80
	"ÉæÆôöòûùÿÖÜ¢£¥₧ƒ" + // 0x90
	"áíóúñÑªº¿⌐¬½¼¡«»" + // 0xA0
	"░▒▓│┤╡╢╖╕╣║╗╝╜╛┐" + // 0xB0
	"└┴┬├─┼╞╟╚╔╩╦╠═╬╧" + // 0xC0
	"╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀" + // 0xD0
	"αßΓπΣσµτΦΘΩδ∞φε∩" + // 0xE0
	"≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00A0" // 0xF0

// cp437Table is cp437Glyphs indexed by byte.
var cp437Table = func() (t [256]rune) {
	copy(t[:], []rune(cp437Glyphs))
	return t
}()

// CP437 returns the Unicode character for the glyph the VGA draws for code
// page 437 byte b (0x00, which draws nothing, gives a space).
func CP437(b byte) rune { return cp437Table[b] }
