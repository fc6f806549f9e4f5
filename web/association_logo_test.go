package web

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/certificates"
	"github.com/ordi-app/ordi/database/dbtest"
	"github.com/ordi-app/ordi/settings"
)

// postLogo sends the association form with logo as its file.
func (a *testApp) postLogo(c *http.Client, logo []byte) *http.Response {
	a.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range map[string]string{"name": "Régie Nord", "warranty_months": "3"} {
		w.WriteField(k, v)
	}
	f, _ := w.CreateFormFile("logo", "logo.png")
	f.Write(logo)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, a.url("/admin/association"), &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return a.do(c, req)
}

func logoPNG(t *testing.T, w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	img.SetNRGBA(0, 0, color.NRGBA{A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// storedLogoSize returns the size of the logo the association has.
func (a *testApp) storedLogoSize(t *testing.T) image.Point {
	t.Helper()
	i, err := a.srv.cfg.Certificates.Issuer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(i.Logo) == 0 {
		return image.Point{}
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(i.Logo))
	if err != nil {
		t.Fatalf("stored logo: %v", err)
	}
	return image.Pt(cfg.Width, cfg.Height)
}

// TestAssociationLogoUpload: a large logo is stored reduced; one that
// cannot be decoded, or claims too many pixels, is refused on its field
// and the stored logo stays; a logo stored too large before logos were
// reduced is flagged on the page.
func TestAssociationLogoUpload(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		app := newTestApp(t, db).withUsers()
		admin := app.login(ordi.RoleAdmin)
		for name, logo := range map[string][]byte{"not a PNG": []byte("GIF89a"), "truncated": logoPNG(t, 300, 200)[:300]} {
			res := app.postLogo(admin, logo)
			body := readBody(res)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "PNG") {
				t.Fatalf("%s: %d", name, res.StatusCode)
			}
			if strings.Contains(body, "Retirer le logo actuel") {
				t.Fatalf("%s: the page offers to remove a logo the association does not have", name)
			}
		}
		if res := app.postLogo(admin, logoPNG(t, 2400, 1200)); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", res.StatusCode, readBody(res))
		}
		if got := app.storedLogoSize(t); got != image.Pt(certificates.LogoSide, certificates.LogoSide/2) {
			t.Fatalf("stored a %v logo", got)
		}
		// An empty file is no file: the logo stays.
		if res := app.postLogo(admin, nil); res.StatusCode != http.StatusSeeOther || app.storedLogoSize(t).X == 0 {
			t.Fatalf("an empty file: %d, the logo is gone", res.StatusCode)
		}
		res := app.postLogo(admin, wideBlankPNG(t))
		if body := readBody(res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "pixels") || !strings.Contains(body, "Retirer le logo actuel") {
			t.Fatalf("too many pixels: %d", res.StatusCode)
		}
		if got := app.storedLogoSize(t); got != image.Pt(certificates.LogoSide, certificates.LogoSide/2) {
			t.Fatalf("a refused upload changed the stored logo to %v", got)
		}
		if strings.Contains(readBody(app.get(admin, "/admin/association")), "sans logo") {
			t.Fatal("a printable logo is flagged")
		}
		// A logo stored before this check existed.
		i, _ := app.srv.cfg.Certificates.Issuer(context.Background())
		i.Logo = logoPNG(t, 2000, 1000)
		if err := settings.Save(context.Background(), db, app.clock.Now(), ordi.System, "association.identity", i); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(readBody(app.get(admin, "/admin/association")), "sans logo") {
			t.Fatal("the page does not say the stored logo is left out of documents")
		}
	})
}

// wideBlankPNG is 20,000 × 700 black pixels: 14 million, in a few kB.
func wideBlankPNG(t *testing.T) []byte {
	img := image.NewGray(image.Rect(0, 0, 20000, 700))
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
