package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/inventory"
	"github.com/ordi-app/ordi/probe"
)

const probeHelp = `ordi probe : le banc de diagnostic. Sur l'ordinateur donné, démarré sur la clé USB
de l'atelier, lit le matériel (lshw), chaque disque (smartctl) et, avec --wipe, efface les
disques que vous confirmez en tapant leur numéro de série (nwipe) ; puis envoie tout au
serveur pour l'unité --unit, ou pour une nouvelle unité du don --donation, et affiche son code.

  ordi probe --unit CODE [--wipe]
  ordi probe --donation ID --kind laptop [--wipe]
  ordi probe --unit CODE --out rapport.json      (sans réseau : écrit le rapport)
  ordi probe upload rapport.json                 (l'envoie plus tard)

Le jeton d'accès (compte « poste d'atelier ») est lu dans le fichier --token-file
(ou ORDI_TOKEN_FILE, par défaut /etc/ordi/token), ou dans la variable ORDI_TOKEN ;
jamais sur la ligne de commande. L'adresse du serveur : --server ou ORDI_SERVER.
Voir docs/workbench.md.`

// defaultTokenFile is where the workshop's USB stick keeps the token.
const defaultTokenFile = "/etc/ordi/token"

// unitKinds are the kinds a new unit may have (DESIGN §2.1), checked here so
// that an offline bundle is not refused when it is finally sent.
var unitKinds = []string{"laptop", "desktop", "all_in_one", "tablet", "screen", "other"}

type probeConn struct {
	server, tokenFile *string
	getenv            func(string) string
}

func probeConnFlags(fs *flagSet, getenv func(string) string) probeConn {
	return probeConn{
		server:    fs.String("server", getenv("ORDI_SERVER"), "adresse du serveur Ordi, https://… (ORDI_SERVER)"),
		tokenFile: fs.String("token-file", getenv("ORDI_TOKEN_FILE"), "fichier du jeton d'accès (ORDI_TOKEN_FILE ; défaut "+defaultTokenFile+", ou la variable ORDI_TOKEN)"),
		getenv:    getenv,
	}
}

// client reads the token: the file named, else ORDI_TOKEN, else the
// default file.
func (p probeConn) client() (*probe.Client, error) {
	if *p.server == "" {
		return nil, usageError("ordi probe : donnez l'adresse du serveur (--server https://… ou ORDI_SERVER), ou écrivez le rapport dans un fichier avec --out")
	}
	token := ""
	switch {
	case *p.tokenFile != "":
		data, err := os.ReadFile(*p.tokenFile)
		if err != nil {
			return nil, fmt.Errorf("lecture du jeton : %w", err)
		}
		token = strings.TrimSpace(string(data))
	case p.getenv("ORDI_TOKEN") != "":
		token = strings.TrimSpace(p.getenv("ORDI_TOKEN"))
	default:
		data, err := os.ReadFile(defaultTokenFile)
		if err != nil {
			return nil, usageError("ordi probe : aucun jeton d'accès : donnez --token-file FICHIER (ou ORDI_TOKEN_FILE, ou la variable ORDI_TOKEN), ou placez-le dans " + defaultTokenFile)
		}
		token = strings.TrimSpace(string(data))
	}
	if token == "" {
		return nil, usageError("ordi probe : le fichier du jeton est vide")
	}
	if strings.ContainsAny(token, " \t\r\n") || len(token) > 100 {
		return nil, usageError("ordi probe : ce fichier ne contient pas un jeton d'accès (une seule ligne, celle qu'a affichée « ordi token add »)")
	}
	return &probe.Client{Server: *p.server, Token: token}, nil
}

// check asks the server who the token is, before any long work.
func checkToken(ctx context.Context, c *probe.Client, stdout io.Writer) error {
	name, role, err := c.Me(ctx)
	if err != nil {
		return err
	}
	if !ordi.Intake.Allows(ordi.Role(role)) {
		return fmt.Errorf("le jeton est celui de %s (%s), qui ne peut pas enregistrer de rapports : il faut un compte « poste d'atelier »", name, ordi.Role(role).Label())
	}
	fmt.Fprintf(stdout, "Connecté au serveur %s en tant que %s.\n", c.Server, name)
	return nil
}

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func runProbe(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer, runner probe.Runner) error {
	if len(args) > 0 && args[0] == "upload" {
		return runProbeUpload(ctx, args[1:], getenv, stdout)
	}
	fs := newFlagSet("probe", probeHelp, stdout)
	conn := probeConnFlags(fs, getenv)
	unit := fs.String("unit", "", "code de l'unité (sous le QR code de son étiquette)")
	donation := fs.Int64("donation", 0, "n° du don où créer une nouvelle unité")
	kind := fs.String("kind", "", "type de la nouvelle unité : "+strings.Join(unitKinds, ", "))
	wipe := fs.Bool("wipe", false, "effacer les disques confirmés un à un par leur numéro de série (nwipe)")
	method := fs.String("wipe-method", "zero", "méthode de nwipe : "+strings.Join(probe.WipeMethods, ", "))
	out := fs.String("out", "", "écrire le rapport dans ce fichier au lieu de l'envoyer (sans réseau)")
	keepDir := fs.String("keep-dir", ".", "dossier où garder le rapport si l'envoi échoue")
	var drives stringList
	fs.Var(&drives, "drive", "ne lire (et n'effacer) que ce disque, /dev/sdb ; répétable (défaut : tous les disques)")
	if err := fs.parse(args); err != nil {
		return helpOK(err)
	}
	b := &probe.Bundle{Format: probe.Format, Probe: "ordi " + buildVersion()}
	switch {
	case *unit != "" && (*donation != 0 || *kind != ""):
		return usageError("ordi probe : --unit, ou bien --donation et --kind, pas les deux")
	case *unit != "":
		code, err := inventory.ParseCode(*unit)
		if err != nil {
			return usageError(fmt.Sprintf("ordi probe : code d'unité %q invalide : vérifiez-le sur l'étiquette (7 caractères)", *unit))
		}
		b.Unit = code.String()
	case *donation > 0 && slices.Contains(unitKinds, *kind):
		b.DonationID, b.Kind = *donation, *kind
	case *donation > 0:
		return usageError("ordi probe : --kind est obligatoire avec --donation : " + strings.Join(unitKinds, ", "))
	default:
		return usageError("ordi probe : donnez --unit CODE, ou --donation ID --kind TYPE (voir --help)")
	}
	if !slices.Contains(probe.WipeMethods, *method) {
		return usageError("ordi probe : --wipe-method inconnue ; au choix : " + strings.Join(probe.WipeMethods, ", "))
	}
	if _, ok := runner.(probe.ExecRunner); ok {
		if err := probe.CheckTools(*wipe); err != nil {
			return err
		}
	}
	var client *probe.Client
	if *out == "" {
		var err error
		if client, err = conn.client(); err != nil {
			return err
		}
		if err := checkToken(ctx, client, stdout); err != nil {
			if errors.Is(err, probe.ErrUnreachable) {
				return fmt.Errorf("%w\nSans réseau, écrivez le rapport dans un fichier avec --out FICHIER, puis envoyez-le plus tard avec « ordi probe upload FICHIER »", err)
			}
			return err
		}
	}
	b.CreatedAt = time.Now().UTC()
	parts, seen, err := probe.Collect(ctx, probe.Options{
		Runner: runner, Devices: drives, Wipe: *wipe, WipeMethod: *method,
		Confirm: probe.ConfirmBySerial(bufio.NewReader(stdin), stdout), Log: stdout,
	})
	if err != nil {
		return err
	}
	b.Parts, b.Drives = parts, seen
	if *out != "" {
		if err := probe.WriteBundle(*out, b); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nRapport écrit dans %s (%d parties). Envoyez-le quand le réseau est là :\n  ordi probe upload %s\n", *out, len(b.Parts), *out)
		if b.Unit != "" {
			fmt.Fprint(stdout, "\n"+probe.Banner(b.Unit))
		}
		return nil
	}
	code, err := probe.Upload(ctx, client, b, nil, stdout, time.Now)
	if err != nil {
		// Nothing collected is lost: the bundle waits in a file.
		b.Unit = code
		keep := filepath.Join(*keepDir, fmt.Sprintf("ordi-probe-%s.json", time.Now().UTC().Format("20060102-150405")))
		if werr := probe.WriteBundle(keep, b); werr != nil {
			return fmt.Errorf("%w (et le rapport n'a pas pu être gardé : %v)", err, werr)
		}
		return fmt.Errorf("%w\nLe rapport est gardé dans %s : envoyez-le, une fois le problème réglé, avec « ordi probe upload %s »", err, keep, keep)
	}
	printCode(stdout, code)
	return nil
}

func printCode(stdout io.Writer, code string) {
	fmt.Fprintf(stdout, "\nUnité %s : écrivez ce code sur la machine, ou imprimez son étiquette.\n\n%s\n", code, probe.Banner(code))
}

func runProbeUpload(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("probe upload", "ordi probe upload FICHIER : envoie un rapport écrit par « ordi probe --out ».\n"+
		"Le renvoyer ne joint rien deux fois : le fichier retient ce que le serveur a reçu.", stdout)
	conn := probeConnFlags(fs, getenv)
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if err := fs.parse(args); err != nil {
		return helpOK(err)
	}
	if file == "" {
		return usageError("usage : ordi probe upload FICHIER [--server URL] [--token-file F]")
	}
	b, err := probe.ReadBundle(file)
	if err != nil {
		return err
	}
	client, err := conn.client()
	if err != nil {
		return err
	}
	if err := checkToken(ctx, client, stdout); err != nil {
		if errors.Is(err, probe.ErrUnreachable) {
			return fmt.Errorf("%w\nRien n'est perdu : relancez « ordi probe upload %s » quand le réseau est là", err, file)
		}
		return err
	}
	save := func(b *probe.Bundle) error { return probe.WriteBundle(file, b) }
	code, err := probe.Upload(ctx, client, b, save, stdout, time.Now)
	if err != nil {
		if errors.Is(err, probe.ErrUnreachable) {
			return fmt.Errorf("%w\nRien n'est perdu : relancez « ordi probe upload %s » quand le réseau est là", err, file)
		}
		return err
	}
	printCode(stdout, code)
	return nil
}
