package pdftest

import "strings"

// Hostile is text people really type, or paste, that a PDF font may not
// draw: the seeds of every renderer's fuzzer and the inputs of the tests
// that feed it to each document. Each must render without error, as a
// valid PDF.
var Hostile = []string{
	"Zoé 😀 Martin",                             // an emoji outside the BMP
	"𝐀𝐥𝐢𝐜𝐞",                                    // mathematical bold, outside the BMP
	"👨‍👩‍👧 famille",                            // a ZWJ sequence
	"👍🏽 ❤️ 🇫🇷",                                 // skin tone, variation selector, flag
	"e\u0301te\u0301 Mu\u0308ller",             // combining marks
	"مرحبا بكم · שלום",                         // right-to-left scripts
	"中文名字 한국어 ☃",                               // scripts the font lacks
	"a\x00b\x01c\x7fd\u0085e",                  // NUL and other control characters
	"\xed\xa0\x80 lone surrogate \xed\xbf\xbf", // surrogates encoded as UTF-8 (invalid)
	"\xff\xfe truncated \xe2\x82",              // bytes that are not UTF-8 at all
	"tab\there\r\nline\u2028sep\u00a0nbsp\u202fnarrow",
	"\u200b\u200e\u202e\ufeff\U000E0041 invisible",
	"\ufffd\uffff\U0010FFFF\U0001F600",   // the replacement character itself, non-characters
	strings.Repeat("𝐀", 300),             // a very long word outside the BMP
	strings.Repeat("Constantinople", 40), // a very long word the font draws
	strings.Repeat("é\u0301", 200),       // a long run of combining marks
	"(parenthèses) \\ barre « guillemets » – — … € œ Œ ’",
}

// Mark is the character the documents draw in place of one the font lacks
// (pdfdoc.Replacement), as text extraction shows it.
const Mark = "\uFFFD"
