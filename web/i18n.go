package web

// The pages' words, in English, French and Spanish.
//
// How to add a message (for page authors):
//   - Add an entry to a catalogue below, or to a catalogue of your own in
//     your own file (e.g. i18n_admin.go: var adminMessages = catalog{...})
//     and name it in the mergeCatalogs call of `messages`.
//   - An entry is key: {English, French, Spanish}. Keys are dotted and
//     start with the page or area they belong to ("login.title",
//     "upload.too_large"); "nav." and "common." are shared.
//   - Arguments use indexed verbs (%[1]s, %[2]d) so a translation may put
//     them in another order.
//   - In a template: {{t "key"}} or {{t "key" arg1 arg2}}; in Go:
//     T(lang, "key", args...). TestMessages checks that every entry has all
//     three languages, that no key is defined twice, and that every {{t}}
//     key used in a template exists.
//
// The language of a request: the user's choice (the vahub_lang cookie set
// by the switcher, POST /lang), else the best match of the browser's
// Accept-Language, else English.

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// Languages of the pages, in the order the switcher shows them. The first
// is the default.
var pageLangs = []string{"en", "fr", "es"}

// langNames are each language's name in itself, for the switcher.
var langNames = map[string]string{"en": "English", "fr": "Français", "es": "Español"}

// langMatcher matches Accept-Language against pageLangs (same order).
var langMatcher = language.NewMatcher([]language.Tag{language.English, language.French, language.Spanish})

// langCookie remembers the language the user picked.
const langCookie = "vahub_lang"

// validLang reports whether lang is one of the pages' languages.
func validLang(lang string) bool { return slices.Contains(pageLangs, lang) }

// requestLang is the language to answer r in.
func requestLang(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && validLang(c.Value) {
		return c.Value
	}
	return negotiateLang(r.Header.Get("Accept-Language"))
}

// negotiateLang picks the page language that best fits an Accept-Language
// header; English when nothing fits or the header is malformed.
func negotiateLang(accept string) string {
	if strings.TrimSpace(accept) == "" {
		return pageLangs[0]
	}
	tags, _, err := language.ParseAcceptLanguage(accept)
	if err != nil || len(tags) == 0 {
		return pageLangs[0]
	}
	_, i, conf := langMatcher.Match(tags...)
	if conf == language.No {
		return pageLangs[0]
	}
	return pageLangs[i]
}

// catalog maps a message key to its English, French and Spanish text.
type catalog map[string][3]string

// messages is every page message. A key defined twice is a programming
// error caught at start-up (and by TestMessages).
var messages = mergeCatalogs(coreMessages, focalMessages)

func mergeCatalogs(cs ...catalog) catalog {
	out := catalog{}
	for _, c := range cs {
		for k, v := range c {
			if _, dup := out[k]; dup {
				panic("web: message key defined twice: " + k)
			}
			out[k] = v
		}
	}
	return out
}

// T words key in lang with args. An unknown key shows as the key itself,
// so a missing message is visible, never blank.
func T(lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		if len(args) > 0 {
			return key + " " + fmt.Sprint(args...)
		}
		return key
	}
	i := slices.Index(pageLangs, lang)
	if i < 0 {
		i = 0
	}
	if len(args) == 0 {
		return m[i]
	}
	return fmt.Sprintf(m[i], args...)
}

// coreMessages: the layout, login, errors and the home pages.
var coreMessages = catalog{
	"app.name":         {"vahub", "vahub", "vahub"},
	"app.tagline":      {"Victim assistance data", "Données d'assistance aux victimes", "Datos de asistencia a las víctimas"},
	"common.skip":      {"Skip to main content", "Aller au contenu principal", "Ir al contenido principal"},
	"common.language":  {"Language", "Langue", "Idioma"},
	"common.choose":    {"Choose", "Choisir", "Elegir"},
	"common.back_home": {"Back to the home page", "Retour à l'accueil", "Volver a la página de inicio"},
	"common.none":      {"None", "Aucun", "Ninguno"},
	"common.yes":       {"yes", "oui", "sí"},
	"common.no":        {"no", "non", "no"},
	"common.signed_in": {"Signed in as %[1]s (%[2]s)", "Connecté en tant que %[1]s (%[2]s)", "Sesión iniciada como %[1]s (%[2]s)"},
	"common.main_nav":  {"Main", "Principal", "Principal"},

	"nav.home":        {"Home", "Accueil", "Inicio"},
	"nav.template":    {"Template", "Modèle", "Plantilla"},
	"nav.upload":      {"Upload", "Envoyer", "Enviar"},
	"nav.submissions": {"Submissions", "Soumissions", "Envíos"},
	"nav.logout":      {"Sign out", "Se déconnecter", "Cerrar sesión"},

	"role.admin":       {"data officer", "responsable des données", "responsable de datos"},
	"role.focal_point": {"focal point", "point focal", "punto focal"},
	"role.researcher":  {"researcher", "chercheur", "investigador"},
	"role.enumerator":  {"enumerator", "enquêteur", "encuestador"},

	"login.title":     {"Sign in", "Connexion", "Iniciar sesión"},
	"login.name":      {"User name", "Nom d'utilisateur", "Nombre de usuario"},
	"login.password":  {"Password", "Mot de passe", "Contraseña"},
	"login.submit":    {"Sign in", "Se connecter", "Iniciar sesión"},
	"login.failed":    {"The user name or password is wrong, or the account is disabled.", "Le nom d'utilisateur ou le mot de passe est erroné, ou le compte est désactivé.", "El nombre de usuario o la contraseña son incorrectos, o la cuenta está desactivada."},
	"login.throttled": {"Too many failed sign-in attempts. Wait %[1]d minutes, then try again.", "Trop de tentatives de connexion échouées. Attendez %[1]d minutes, puis réessayez.", "Demasiados intentos fallidos de inicio de sesión. Espere %[1]d minutos y vuelva a intentarlo."},
	"login.expired":   {"Your session has ended. Please sign in again.", "Votre session a pris fin. Veuillez vous reconnecter.", "Su sesión ha terminado. Vuelva a iniciar sesión."},
	"login.intro":     {"Sign in with the name and password your data officer gave you.", "Connectez-vous avec le nom et le mot de passe fournis par votre responsable des données.", "Inicie sesión con el nombre y la contraseña que le dio su responsable de datos."},

	"home.title":      {"Welcome", "Bienvenue", "Bienvenido"},
	"home.role_intro": {"You are signed in as a %[1]s.", "Vous êtes connecté en tant que %[1]s.", "Ha iniciado sesión como %[1]s."},
	"home.nothing":    {"There is nothing for this role on the web pages yet: use the API with a token.", "Il n'y a encore rien pour ce rôle dans les pages web : utilisez l'API avec un jeton.", "Todavía no hay nada para este rol en las páginas web: use la API con un token."},

	"error.title":        {"Something went wrong", "Une erreur s'est produite", "Se produjo un error"},
	"error.not_found":    {"This page does not exist, or you may not see it.", "Cette page n'existe pas, ou vous n'y avez pas accès.", "Esta página no existe o no tiene acceso a ella."},
	"error.forbidden":    {"You may not do this.", "Vous n'êtes pas autorisé à faire ceci.", "No tiene permiso para hacer esto."},
	"error.method":       {"This page does not accept this kind of request.", "Cette page n'accepte pas ce type de requête.", "Esta página no acepta este tipo de solicitud."},
	"error.internal":     {"vahub could not complete this request. Try again later; if it persists, tell your data officer.", "vahub n'a pas pu traiter cette requête. Réessayez plus tard ; si le problème persiste, prévenez votre responsable des données.", "vahub no pudo completar esta solicitud. Inténtelo más tarde; si persiste, avise a su responsable de datos."},
	"error.cross_origin": {"This form was sent from another site and was refused.", "Ce formulaire a été envoyé depuis un autre site et a été refusé.", "Este formulario se envió desde otro sitio y fue rechazado."},
	"error.status":       {"Error %[1]d", "Erreur %[1]d", "Error %[1]d"},
}
