# The review texts (see ../README.md).

## Field messages
v-category-city-only = Diese Kategorie ist den Diensten der Stadt vorbehalten. Wählen Sie eine andere.
v-review-reason = Geben Sie einen Grund mit 3 bis 500 Zeichen an.

## A listing waiting for review
status-pending_review = Wartet auf Prüfung durch die Stadt
done-review-requested = Der Name enthält einen Begriff, den die Stadt ihren eigenen Ämtern vorbehält. Die Stadt prüft ihn, bevor der Eintrag öffentlich ist.
done-approve = Der Name ist freigegeben und der Eintrag veröffentlicht.
done-reject = Der Name ist abgelehnt; das Unternehmen sieht Ihre Begründung.
review-waiting = Der Name enthält { $terms }, einen Begriff, den die Stadt ihren eigenen Ämtern vorbehält, damit sich niemand als Stadt ausgibt. Die Stadtverwaltung prüft den Namen; der Eintrag ist öffentlich, sobald sie ihn freigibt.
review-will-wait = Der Name enthält { $terms }, einen Begriff, den die Stadt ihren eigenen Ämtern vorbehält. Wenn Sie veröffentlichen, prüft die Stadtverwaltung zuerst den Namen.
review-refused = Die Stadtverwaltung hat den Namen abgelehnt: { $reason }
review-terms = Vorbehalten: { $terms }

## The staff's pages
review-queue = Wartet auf Prüfung
review-queue-text = Diese Unternehmen möchten einen Namen mit einem Begriff veröffentlichen, den die Stadt sich vorbehält. Geben Sie einen Namen frei, der sich nicht als Stadt ausgibt; lehnen Sie ihn sonst mit einer Begründung ab, die das Unternehmen sieht.
review-queue-empty = Kein Eintrag wartet auf Prüfung.
review-approve = Freigeben
review-reject = Ablehnen
review-reason = Grund der Ablehnung
review-kind = Art
review-any-kind = Jede Art
review-page-of = Seite { $page } von { $pages }
review-organizations-link = Alle Organisationen mit ihren Mitgliedern und Einträgen
review-back-admin = Zurück zur Verwaltung
review-organizations-count = { $count ->
    [one] Eine Organisation
   *[other] { $count } Organisationen
}
review-no-members = Keine Mitglieder.

## The business's dashboard
manage-waiting = Buchungsanfragen, die auf Sie warten
manage-waiting-total = { $count ->
    [one] Eine Buchungsanfrage wartet auf Ihre Entscheidung.
   *[other] { $count } Buchungsanfragen warten auf Ihre Entscheidung.
}
manage-waiting-offer = { $name }: { $count ->
    [one] eine Anfrage
   *[other] { $count } Anfragen
}

## City services
review-official-service = Offizieller Dienst von { $city }

## Emails to a business
mail-business-requested-subject = Neue Buchungsanfrage: { $offer }
mail-business-requested-intro = eine Einwohnerin oder ein Einwohner möchte { $offer } ({ $place }) für { $when } buchen. Die Anfrage wartet auf Ihre Entscheidung.
mail-business-requested-action = Annehmen oder ablehnen: { $url }
mail-business-cancelled-subject = Buchung storniert: { $offer }, { $when }
mail-business-cancelled-intro = eine Einwohnerin oder ein Einwohner hat die Buchung von { $offer } ({ $place }) für { $when } storniert. Der Platz ist wieder frei.
mail-business-cancelled-action = Ihre Buchungen dieses Angebots: { $url }

## Die Vorschau der Seite eines Eintrags (für die Mitglieder seiner Organisation und die Stadtverwaltung)
review-preview = Vorschau
preview-pending_review = Nicht öffentlich – wartet auf die Prüfung durch die Stadt.
preview-draft = Nicht öffentlich – ein Entwurf.
preview-suspended = Nicht öffentlich – von der Stadt gesperrt.
preview-published = Eine Vorschau: Dieser Eintrag ist öffentlich.
preview-text = So sehen Bürgerinnen und Bürger die Seite, sobald sie öffentlich ist. Die Suche und Suchmaschinen finden sie nicht.
preview-edit = Eintrag bearbeiten
