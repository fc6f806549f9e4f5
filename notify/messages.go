package notify

import (
	"fmt"
	"html"
	"strings"

	"github.com/ordi-app/ordi"
	"github.com/ordi-app/ordi/outbox"
)

// signature ends every message.
const signature = "—\nOrdi, le suivi du dispositif d'ordinateurs reconditionnés.\nCe message est envoyé automatiquement ; vous pouvez choisir les messages que vous recevez dans « Mon compte »."

// compose builds a message from its paragraphs: the plain-text part, and an
// HTML alternative where addresses are links.
func compose(kind, subject string, paragraphs ...string) outbox.Mail {
	paragraphs = append(paragraphs, signature)
	var h strings.Builder
	h.WriteString(`<!doctype html><html lang="fr"><body style="font-family:sans-serif;font-size:16px;line-height:1.5">`)
	for _, p := range paragraphs {
		h.WriteString("<p>")
		for i, line := range strings.Split(p, "\n") {
			if i > 0 {
				h.WriteString("<br>")
			}
			if strings.HasPrefix(line, "http://") || strings.HasPrefix(line, "https://") {
				e := html.EscapeString(line)
				h.WriteString(`<a href="` + e + `">` + e + `</a>`)
				continue
			}
			h.WriteString(html.EscapeString(line))
		}
		h.WriteString("</p>")
	}
	h.WriteString("</body></html>")
	return outbox.Mail{Kind: kind, Subject: subject, Text: strings.Join(paragraphs, "\n\n") + "\n", HTML: h.String()}
}

// familyLink is the address of a family's file.
func (n *Notifier) familyLink(householdID int64) string {
	return n.Link(fmt.Sprintf("/families/%d", householdID))
}

// EligibilityMail tells a family's social worker the eligibility decision.
// A refusal's reason stays in the file: the mail says where to read it.
func (n *Notifier) EligibilityMail(reference string, householdID int64, eligible bool) outbox.Mail {
	if eligible {
		return compose(Eligibility, "Famille "+reference+" : éligible au dispositif",
			"Bonjour,",
			"La famille "+reference+" que vous avez orientée est déclarée éligible. L'équipe va l'inscrire à une formation.",
			"Son dossier :\n"+n.familyLink(householdID))
	}
	return compose(Eligibility, "Famille "+reference+" : non retenue",
		"Bonjour,",
		"La famille "+reference+" que vous avez orientée n'est pas retenue pour le dispositif. Le motif est indiqué dans son dossier.",
		"Son dossier :\n"+n.familyLink(householdID))
}

// CourseCompletedMail tells the social worker the family completed its
// course.
func (n *Notifier) CourseCompletedMail(reference string, householdID int64, course string) outbox.Mail {
	return compose(CourseCompleted, "Famille "+reference+" : formation terminée",
		"Bonjour,",
		"La famille "+reference+" a suivi les séances requises de la formation « "+course+" ». Un ordinateur va pouvoir lui être réservé.",
		"Son dossier :\n"+n.familyLink(householdID))
}

// ReservationMail tells the social worker a computer is reserved for the
// family, with the day of the handover appointment when there is one.
func (n *Notifier) ReservationMail(reference string, householdID int64, unit string, appointment *ordi.Date) outbox.Mail {
	when := "Le rendez-vous de remise n'est pas encore fixé : vous recevrez un message quand il le sera."
	if appointment != nil {
		when = "Rendez-vous de remise : le " + appointment.French() + "."
	}
	return compose(Reservation, "Famille "+reference+" : ordinateur réservé",
		"Bonjour,",
		"Un ordinateur ("+unit+") est réservé pour la famille "+reference+".",
		when,
		"Son dossier :\n"+n.familyLink(householdID))
}

// AppointmentMail tells the social worker the handover appointment was set
// or moved.
func (n *Notifier) AppointmentMail(reference string, householdID int64, appointment ordi.Date) outbox.Mail {
	return compose(Reservation, "Famille "+reference+" : rendez-vous de remise le "+appointment.French(),
		"Bonjour,",
		"Le rendez-vous de remise de l'ordinateur réservé pour la famille "+reference+" est fixé au "+appointment.French()+".",
		"Son dossier :\n"+n.familyLink(householdID))
}

// HandoverMail tells the social worker the family received its computer.
func (n *Notifier) HandoverMail(reference string, householdID int64, on ordi.Date) outbox.Mail {
	return compose(Handover, "Famille "+reference+" : ordinateur remis",
		"Bonjour,",
		"La famille "+reference+" a reçu son ordinateur le "+on.French()+". Son attestation de remise est dans son dossier.",
		"Son dossier :\n"+n.familyLink(householdID))
}

// DonorCertificateMail carries a donor's certificate to its contact, with
// the address where anyone can check it.
func (n *Notifier) DonorCertificateMail(number, verifyURL string) outbox.Mail {
	m := compose(DonorCertificate, "Votre certificat "+number+" : prise en charge, effacement des données et recyclage",
		"Bonjour,",
		"Merci pour votre don de matériel informatique. Vous trouverez ci-joint le certificat "+number+" : il liste chaque appareil, l'effacement de ses données et ce qu'il est devenu.",
		"Son authenticité se vérifie à cette adresse :\n"+verifyURL)
	// A donor has no account: no preferences to point to.
	m.Text = strings.Replace(m.Text, signature, "—\nOrdi, le suivi du dispositif d'ordinateurs reconditionnés.", 1)
	m.HTML = strings.Replace(m.HTML, html.EscapeString("Ce message est envoyé automatiquement ; vous pouvez choisir les messages que vous recevez dans « Mon compte »."), "", 1)
	return m
}

// InvitationMail invites a new user to choose a password.
func (n *Notifier) InvitationMail(name, link string, days int) outbox.Mail {
	return compose(Invitation, "Votre compte Ordi",
		"Bonjour "+name+",",
		"Un compte Ordi vient d'être créé pour vous. Choisissez votre mot de passe en ouvrant ce lien :\n"+link,
		fmt.Sprintf("Le lien ne sert qu'une fois et expire dans %s.", ordi.Plural(days, "jour", "jours")))
}

// PasswordResetMail carries a password-reset link.
func (n *Notifier) PasswordResetMail(link string) outbox.Mail {
	return compose(PasswordReset, "Ordi : choisir un nouveau mot de passe",
		"Bonjour,",
		"Quelqu'un (vous, sans doute) a demandé à changer le mot de passe de votre compte Ordi. Pour en choisir un nouveau, ouvrez ce lien :\n"+link,
		"Le lien ne sert qu'une fois et expire dans une heure. Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste le même.")
}
