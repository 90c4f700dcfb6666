package table

import (
	"strings"
	"testing"
)

func sample() *Table {
	t := &Table{Caption: []string{"Top"}, Head: []string{"n", "name"}, Align: []Align{Right, Code}}
	t.Row("1", "a|b")
	t.Section("more")
	t.Row("22", "<c>")
	t.Notes = []string{"a note"}
	t.Footnotes.Cite("first")
	t.Footnotes.Cite("second")
	return t
}

func TestGroups(t *testing.T) {
	gs := sample().Groups()
	if len(gs) != 2 || gs[0].Title != "" || len(gs[0].Rows) != 1 || gs[1].Title != "more" || gs[1].Rows[0][0] != "22" {
		t.Errorf("groups %+v", gs)
	}
	if gs := (&Table{Rows: [][]string{{"x"}}}).Groups(); len(gs) != 1 || len(gs[0].Rows) != 1 {
		t.Errorf("no sections: %+v", gs)
	}
}

func TestCite(t *testing.T) {
	var f Footnotes
	if a, b, c := f.Cite("x"), f.Cite("y"), f.Cite("x"); a != 1 || b != 2 || c != 1 || len(f) != 2 {
		t.Errorf("cite: %d %d %d, %q", a, b, c, f)
	}
}

func TestWriteText(t *testing.T) {
	var b strings.Builder
	if err := WriteText(&b, sample(), TextOptions{Indent: "  ", NotePrefix: "note: "}); err != nil {
		t.Fatal(err)
	}
	want := "Top\n" + "   n  name\n" + "   1  a|b\n" + "more\n" + "  22  <c>\n" + "note: a note\n" + "[1] first\n" + "[2] second\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestWriteMarkdown(t *testing.T) {
	var b strings.Builder
	if err := WriteMarkdown(&b, sample()); err != nil {
		t.Fatal(err)
	}
	want := "Top  \n\n| n | name |\n|---:|:---|\n| 1 | `a\\|b` |\n| **more** | |\n| 22 | `<c>` |\n\n- a note\n\n1. first\n2. second\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

func TestSuperscript(t *testing.T) {
	if got := Superscript(120); got != "¹²⁰" {
		t.Errorf("Superscript(120) = %q", got)
	}
}
