package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// route is one line of the route table: method, path, who may call it, and
// the handler. Handlers return an error instead of writing one.
type route struct {
	method string
	path   string
	allow  access
	handle func(*gin.Context) error
}

// routeTable lists every route Ordi serves. A test walks the engine's routes
// and fails if one is missing here or lacks a rule.
func (s *Server) routeTable() []route {
	const get, post, put, patch, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete
	return []route{
		// Probes, metrics and static files.
		{get, "/healthz", public, s.handleHealth},
		{get, "/readyz", public, s.handleReady},
		{get, "/metrics", public, s.handleMetrics},
		{get, "/static/*file", public, s.handleStatic},
		// The installable app (pwa.go).
		{get, manifestPath, public, s.handleManifest},
		{get, serviceWorkerPath, public, s.handleServiceWorker},

		// Sign-in and first-run setup.
		{get, "/login", public, s.handleLoginPage},
		{post, "/login", public, s.handleLogin},
		{post, "/logout", public, s.handleLogout},
		{get, "/setup/:token", public, s.handleSetupPage},
		{post, "/setup/:token", public, s.handleSetup},
		{get, "/password/forgot", public, s.handlePasswordForgotPage},
		{post, "/password/forgot", public, s.handlePasswordForgot},
		{get, "/password/:token", public, s.handlePasswordLinkPage},
		{post, "/password/:token", public, s.handlePasswordLink},
		{get, "/account/mail", signedIn, s.handleMailPreferencesPage},
		{post, "/account/mail", signedIn, s.handleMailPreferences},

		// Pages.
		{get, "/", signedIn, s.handleHome},
		// Inventory pages.
		{get, "/donations", workshop, s.handleDonationsPage},
		{get, "/donations/new", workshop, s.handleDonationNewPage},
		{post, "/donations", workshop, s.handleDonationCreate},
		{get, "/donations/:id", workshop, s.handleDonationPage},
		{post, "/donations/:id/units", workshop, s.handleDonationUnitCreate},
		{post, "/donations/:id/import", workshop, s.handleDonationImport},
		{get, "/donations/:id/import/:upload", workshop, s.handleDonationImportPage},
		{post, "/donations/:id/import/:upload", workshop, s.handleDonationImportConfirm},
		{post, "/donations/:id/delete", workshop, s.handleDonationDelete},
		{get, "/outlets", workshop, s.handleOutletsPage},
		{post, "/outlets", workshop, s.handleOutletCreate},
		{get, "/outlets/:id", workshop, s.handleOutletEditPage},
		{post, "/outlets/:id", workshop, s.handleOutletUpdate},
		{get, "/pickups", workshop, s.handlePickupsPage},
		{post, "/pickups", workshop, s.handlePickupCreate},
		{get, "/pickups/register.csv", workshop, s.handleWasteRegister},
		{get, "/units", unitsRead, s.handleUnitsPage},
		{get, "/u/:code", unitOrPublic, s.handleUnitPage},
		{post, "/u/:code/probleme", public, s.handleProblemReport},
		{get, "/signalement-envoye", public, s.handleProblemSent},
		{post, "/u/:code/transition", workshop, s.handleUnitTransition},
		{post, "/u/:code/erasures", workshop, s.handleUnitErasure},
		{post, "/u/:code/reports", workshop, s.handleUnitReport},
		{post, "/u/:code/conflicts/:id", workshop, s.handleUnitConflict},
		{post, "/u/:code/undo", workshop, s.handleUnitUndo},
		{get, "/u/:code/edit", workshop, s.handleUnitEditPage},
		{post, "/u/:code/edit", workshop, s.handleUnitEdit},

		// Scanning.
		{get, "/scan", unitsRead, s.handleScanPage},

		// Labels.
		{get, "/labels", unitsRead, s.handlePrintQueuePage},
		{post, "/labels/print", unitsRead, s.handleLabelsPrint},
		{get, "/labels/calibration/:template", unitsRead, s.handleLabelCalibration},

		// Allocation pages.
		{get, "/families", households, s.handleFamiliesPage},
		{get, "/families/new", nominate, s.handleFamilyNewPage},
		{post, "/families", nominate, s.handleFamilyCreate},
		{get, "/families/:id", households, s.handleFamilyPage},
		{get, "/families/:id/edit", nominate, s.handleFamilyEditPage},
		{get, "/families/:id/export", nominate, s.handleFamilyExportPage},
		{post, "/families/:id/edit", nominate, s.handleFamilyEdit},
		{post, "/families/:id/decision", allocate, s.handleFamilyDecision},
		{post, "/families/:id/withdraw", households, s.handleFamilyWithdraw},
		{post, "/families/:id/erase", adminOnly, s.handleFamilyErase},
		{post, "/families/:id/enroll", allocate, s.handleFamilyEnroll},
		{get, "/courses", courses, s.handleCoursesPage},
		{get, "/courses/new", allocate, s.handleCourseNewPage},
		{post, "/courses", allocate, s.handleCourseCreate},
		{get, "/courses/:id", courses, s.handleCoursePage},
		{post, "/courses/:id/enrollments", allocate, s.handleCourseEnroll},
		{post, "/courses/:id/attendance", courses, s.handleCourseAttendance},
		{get, "/allocation", allocate, s.handleProposalsPage},
		{post, "/reservations", allocate, s.handleReservationsCreate},
		{post, "/reservations/:id/cancel", allocate, s.handleReservationCancel},

		// Handovers and certificates.
		{get, "/handovers", handover, s.handleHandoverDesk},
		{get, "/handovers/:id", handover, s.handleHandoverPage},
		{post, "/handovers/:id", handover, s.handleHandover},
		{post, "/handovers/:id/appointment", handover, s.handleHandoverAppointment},
		{get, "/handovers/done/:number", handover, s.handleHandoverDone},
		{get, "/certificates", handover, s.handleCertificatesPage},
		{get, "/certificates/:number/correct", allocate, s.handleCertificateCorrectPage},
		{post, "/certificates/:number/correct", allocate, s.handleCertificateCorrect},
		{post, "/donations/:id/certificate", donorDocuments, s.handleDonationCertificate},
		{get, "/courses/:id/sheet.pdf", courses, s.handleCourseSheet},
		{get, "/verify", public, s.handleVerifyForm},
		{get, "/verify/:number", public, s.handleVerifyPage},

		// Problems reported from handed-over units.
		{get, "/tickets", workshop, s.handleTicketsPage},
		{get, "/tickets/:id", workshop, s.handleTicketPage},
		{post, "/tickets/:id", workshop, s.handleTicketChange},

		// The Bilan.
		{get, "/bilan", reportsRead, s.handleBilanPage},
		// The Bilan's exports.
		{get, "/bilan.csv", reportsRead, s.handleBilanCSV},
		{get, "/bilan.xlsx", reportsRead, s.handleBilanXLSX},
		{get, "/bilan.pdf", reportsRead, s.handleBilanPDF},

		// Administration pages.
		{get, "/admin", adminOnly, s.handleAdminPage},
		{get, "/admin/association", adminOnly, s.handleAssociationPage},
		{post, "/admin/association", adminOnly, s.handleAssociationUpdate},
		{get, "/admin/programme", adminOnly, s.handleRulesPage},
		{post, "/admin/programme", adminOnly, s.handleRulesUpdate},
		{get, "/admin/aftercare", adminOnly, s.handleAftercareSettingsPage},
		{post, "/admin/aftercare", adminOnly, s.handleAftercareSettingsUpdate},
		{get, "/admin/bilan", adminOnly, s.handleTargetsPage},
		{post, "/admin/bilan", adminOnly, s.handleTargetsUpdate},
		{get, "/admin/access-log", adminOnly, s.handleAccessLogPage},
		{get, "/admin/mail", adminOnly, s.handleOutboxPage},
		{post, "/admin/mail", adminOnly, s.handleMailSettings},
		{get, "/admin/users", adminOnly, s.handleUsersPage},
		{get, "/admin/users/new", adminOnly, s.handleUserNewPage},
		{post, "/admin/users", adminOnly, s.handleUserCreate},
		{get, "/admin/users/:id", adminOnly, s.handleUserEditPage},
		{post, "/admin/users/:id", adminOnly, s.handleUserUpdate},
		{post, "/admin/users/:id/tokens", adminOnly, s.handleUserTokenCreate},
		{post, "/admin/users/:id/signout", adminOnly, s.handleUserSignOut},
		{post, "/admin/tokens/:id/revoke", adminOnly, s.handleTokenRevoke},
		{get, "/admin/partners", adminOnly, s.handlePartnersPage},
		{post, "/admin/partners", adminOnly, s.handlePartnerCreate},

		// API v1.
		{get, "/api/v1/me", signedIn, s.handleAPIMe},
		{post, "/api/v1/partners", adminOnly, s.handleAPIPartnerCreate},
		{get, "/api/v1/partners", workshop, s.handleAPIPartnerList},
		{post, "/api/v1/users", adminOnly, s.handleAPIUserCreate},
		{get, "/api/v1/users", adminOnly, s.handleAPIUserList},
		{get, "/api/v1/users/:id/tokens", adminOnly, s.handleAPIUserTokens},
		{post, "/api/v1/users/:id/tokens", adminOnly, s.handleAPIUserTokenCreate},
		{post, "/api/v1/users/:id/signout", adminOnly, s.handleAPIUserSignOut},
		{del, "/api/v1/tokens/:id", adminOnly, s.handleAPITokenRevoke},

		// API v1: inventory.
		{post, "/api/v1/donors", workshop, s.handleAPIDonorCreate},
		{get, "/api/v1/donors", workshop, s.handleAPIDonorList},
		{get, "/api/v1/donors/:id", workshop, s.handleAPIDonor},
		{post, "/api/v1/outlets", workshop, s.handleAPIOutletCreate},
		{get, "/api/v1/outlets", workshop, s.handleAPIOutletList},
		{get, "/api/v1/outlets/:id", workshop, s.handleAPIOutlet},
		{put, "/api/v1/outlets/:id", workshop, s.handleAPIOutletUpdate},
		{post, "/api/v1/pickups", workshop, s.handleAPIPickupCreate},
		{get, "/api/v1/pickups", workshop, s.handleAPIPickupList},
		{get, "/api/v1/pickups/:number", workshop, s.handleAPIPickup},
		{get, "/api/v1/waste-register.csv", workshop, s.handleWasteRegister},
		{post, "/api/v1/donations", workshop, s.handleAPIDonationCreate},
		{get, "/api/v1/donations", workshop, s.handleAPIDonationList},
		{get, "/api/v1/donations/:id", workshop, s.handleAPIDonation},
		{get, "/api/v1/donations.csv", workshop, s.handleAPIDonationExport},
		{get, "/api/v1/donations.xlsx", workshop, s.handleAPIDonationExport},
		{del, "/api/v1/donations/:id", workshop, s.handleAPIDonationDelete},
		{post, "/api/v1/donations/:id/import/preview", workshop, s.handleAPIDonationImportPreview},
		{post, "/api/v1/donations/:id/import", workshop, s.handleAPIDonationImport},
		{post, "/api/v1/units", intake, s.handleAPIUnitCreate},
		{get, "/api/v1/units", unitsRead, s.handleAPIUnitList},
		{get, "/api/v1/units.csv", unitsRead, s.handleAPIUnitExport},
		{get, "/api/v1/units.xlsx", unitsRead, s.handleAPIUnitExport},
		{post, "/api/v1/units/import", workshop, s.handleAPIUnitImport},
		{post, "/api/v1/units/batch", unitsRead, s.handleAPIUnitBatch},
		{get, "/api/v1/units/:code", unitsRead, s.handleAPIUnit},
		{patch, "/api/v1/units/:code", workshop, s.handleAPIUnitUpdate},
		{post, "/api/v1/units/:code/transitions", workshop, s.handleAPIUnitTransition},
		{post, "/api/v1/units/:code/undo", workshop, s.handleAPIUnitUndo},
		{post, "/api/v1/units/:code/erasures", intake, s.handleAPIErasureCreate},
		{get, "/api/v1/units/:code/erasures", unitsRead, s.handleAPIErasureList},
		{get, "/api/v1/units/:code/events", unitsRead, s.handleAPIUnitEvents},
		{post, "/api/v1/units/:code/reports", intake, s.handleAPIReportCreate},
		{get, "/api/v1/units/:code/reports", workshop, s.handleAPIReportList},
		{get, "/api/v1/units/:code/reports/:id", workshop, s.handleAPIReportDownload},
		{get, "/api/v1/units/:code/drives", unitsRead, s.handleAPIDriveList},
		{post, "/api/v1/units/:code/conflicts/:id", workshop, s.handleAPIConflictResolve},
		{get, "/api/v1/labels/templates", unitsRead, s.handleAPILabelTemplates},

		// API v1: allocation.
		{post, "/api/v1/households", nominate, s.handleAPIHouseholdCreate},
		{get, "/api/v1/households", households, s.handleAPIHouseholdList},
		{get, "/api/v1/households.csv", households, s.handleAPIHouseholdListExport},
		{get, "/api/v1/households.xlsx", households, s.handleAPIHouseholdListExport},
		{get, "/api/v1/households/:id", households, s.handleAPIHousehold},
		{patch, "/api/v1/households/:id", nominate, s.handleAPIHouseholdUpdate},
		{post, "/api/v1/households/:id/decision", allocate, s.handleAPIHouseholdDecision},
		{post, "/api/v1/households/:id/withdraw", households, s.handleAPIHouseholdWithdraw},
		{post, "/api/v1/households/:id/erase", adminOnly, s.handleAPIHouseholdErase},
		{get, "/api/v1/households/:id/export", nominate, s.handleAPIHouseholdExport},
		{get, "/api/v1/households/:id/checklist", allocate, s.handleAPIHouseholdChecklist},
		{get, "/api/v1/access-log", adminOnly, s.handleAPIAccessLog},
		{get, "/api/v1/settings/programme", allocate, s.handleAPIRules},
		{put, "/api/v1/settings/programme", adminOnly, s.handleAPIRulesUpdate},
		{post, "/api/v1/courses", allocate, s.handleAPICourseCreate},
		{get, "/api/v1/courses", courses, s.handleAPICourseList},
		{get, "/api/v1/courses/:id", courses, s.handleAPICourse},
		{post, "/api/v1/courses/:id/enrollments", allocate, s.handleAPIEnrollment},
		{put, "/api/v1/courses/:id/attendance", courses, s.handleAPIAttendance},
		{post, "/api/v1/allocation/proposals", allocate, s.handleAPIProposals},
		{post, "/api/v1/reservations", allocate, s.handleAPIReservationCreate},
		{get, "/api/v1/reservations", handover, s.handleAPIReservationList},
		{get, "/api/v1/reservations/:id", handover, s.handleAPIReservation},
		{del, "/api/v1/reservations/:id", allocate, s.handleAPIReservationCancel},
		{patch, "/api/v1/reservations/:id", handover, s.handleAPIReservationAppointment},

		// API v1: certificates.
		{post, "/api/v1/reservations/:id/handover", handover, s.handleAPIHandover},
		{post, "/api/v1/donations/:id/certificate", donorDocuments, s.handleAPIDonorCertificate},
		{get, "/api/v1/donations/:id/receipt.pdf", workshop, s.handleDonationReceipt},
		{get, "/api/v1/certificates", donorDocuments, s.handleAPICertificateList},
		{get, "/api/v1/certificates/:number", handover, s.handleAPICertificate},
		{post, "/api/v1/certificates/:number/reissue", allocate, s.handleAPICertificateReissue},
		{post, "/api/v1/labels", unitsRead, s.handleAPILabels},

		// API v1: problems reported from handed-over units.
		{get, "/api/v1/tickets", workshop, s.handleAPITicketList},
		{get, "/api/v1/tickets/:id", workshop, s.handleAPITicket},
		{post, "/api/v1/tickets/:id/changes", workshop, s.handleAPITicketChange},

		// API v1: the Bilan and its targets.
		{get, "/api/v1/reports/summary", reportsRead, s.handleAPIReportSummary},
		{get, "/api/v1/settings/targets", allocate, s.handleAPITargets},
		{put, "/api/v1/settings/targets", adminOnly, s.handleAPITargetsUpdate},
		// API v1: the Bilan's exports.
		{get, "/api/v1/reports/summary.csv", reportsRead, s.handleBilanCSV},
		{get, "/api/v1/reports/summary.xlsx", reportsRead, s.handleBilanXLSX},
		{get, "/api/v1/reports/summary.pdf", reportsRead, s.handleBilanPDF},
	}
}
