## Anträge über die Module der Stadt (Issue 16): online beantragen, die Übersicht, was an
## wen geht, Meine Anträge mit dem Verlauf jedes Vorgangs, die E-Mails zu einem Vorgang,
## und was das Zugriffsprotokoll über ein Modul sagt, das einen Antrag erhält.

application-apply-online = Online beantragen
application-apply-title = Beantragen: { $service }
application-apply-intro = Füllen Sie das Formular aus. Auf der nächsten Seite sehen Sie genau, was gesendet wird; nichts wird gesendet, bevor Sie bestätigen.
application-apply-next = Weiter zur Übersicht
application-share-legend = Aus Ihrem Profil
application-share-hint = Kreuzen Sie an, was die Stelle aus Ihrem Konto erhalten darf. Was Sie nicht ankreuzen, wird nicht gesendet.
application-who-heading = Wer Ihren Antrag erhält
application-who-module = Bearbeitet von
application-who-operator = Zuständige Stelle
application-who-purpose = Zweck
application-who-legal-basis = Rechtsgrundlage
application-who-data = Was sie erhält
application-who-encrypted = Ihr Antrag wird für diese Stelle verschlüsselt: Nach der Zustellung behält das Portal nur die verschlüsselte Fassung.
application-who-register = Alle Module und welche Daten sie erhalten
application-review-title = Antrag prüfen und senden
application-review-intro = Genau das geht an { $module } ({ $operator }).
application-review-answers = Ihre Angaben
application-review-profile = Aus Ihrem Profil
application-review-no-profile = Nichts aus Ihrem Profil.
application-review-send = An { $module } senden
application-review-change = Angaben ändern
application-yes = Ja
application-no = Nein
application-mine-link = Meine Anträge
application-mine-title = Meine Anträge
application-mine-none = Sie haben noch nichts online beantragt.
application-submitted-on = Gesendet am { $at }
application-submitted = Gesendet
application-status = Stand
application-service = Leistung
application-reference = Aktenzeichen
application-sent = Ihr Antrag wurde gesendet. Sie erhalten eine E-Mail, sobald sich sein Stand ändert.
application-question-heading = Die Stelle fragt
application-answer = Ihre Antwort
application-answer-send = Antwort senden
application-timeline = Verlauf
application-document = Dokument: { $name }
application-withdraw = Antrag zurückziehen
application-withdraw-title = Antrag zurückziehen?
application-withdraw-explained = Die Stelle erfährt, dass Sie die Bearbeitung nicht mehr wünschen. Das lässt sich nicht rückgängig machen; Sie können erneut beantragen.
application-withdraw-yes = Ja, zurückziehen
application-withdraw-no = Nein, behalten
application-status-draft = Nicht gesendet
application-status-submitted = Gesendet
application-status-received = Bei der Stelle eingegangen
application-status-in-progress = In Bearbeitung
application-status-needs-information = Die Stelle braucht Angaben von Ihnen
application-status-approved = Bewilligt
application-status-refused = Abgelehnt
application-status-closed = Abgeschlossen
application-status-withdrawn = Zurückgezogen
application-event-submitted = Sie haben den Antrag gesendet
application-event-received = Die Stelle hat ihn erhalten
application-event-in-progress = Die Stelle bearbeitet ihn
application-event-needs-information = Die Stelle hat eine Frage gestellt
application-event-answered = Sie haben geantwortet
application-event-decided-approved = Bewilligt
application-event-decided-refused = Abgelehnt
application-event-closed = Abgeschlossen
application-event-withdrawn = Sie haben ihn zurückgezogen
application-event-undeliverable = Nicht zugestellt: Das System des Amtes für diese Leistung ist nicht mehr angeschlossen. Es wurde nichts gesendet; bitte wenden Sie sich direkt an das Amt.
application-event-message = Nachricht der Stelle
application-mail-subject = Ihr Antrag „{ $service }“: { $status }
application-mail-message-subject = Ihr Antrag „{ $service }“: eine Nachricht der Stelle
application-mail-body = Guten Tag { $name },

    Ihr Antrag „{ $service }“ hat jetzt den Stand: { $status }.
    { $message }
    Den ganzen Vorgang sehen Sie hier: { $url }

    { $city }
application-mail-message-body = Guten Tag { $name },

    die Stelle hat Ihnen zu Ihrem Antrag „{ $service }“ eine Nachricht geschickt.
    { $message }
    Den ganzen Vorgang sehen Sie hier: { $url }

    { $city }
access-application-sent = { $what ->
    [answer] Ihre Antwort
   *[application] Ihr Antrag
    } zu „{ $service_de }“ ({ $fields_de }), Vorgang { $case }
access-application-read = Ihr Antrag zu „{ $service_de }“ ({ $fields_de }), Vorgang { $case }
access-purpose-application = { $purpose_de }
admin-module-webhook-secret = Signaturgeheimnis der Webhooks
admin-module-deliveries = Zustellungen an seinen Webhook
admin-module-deliveries-none = Noch nichts zugestellt.
admin-module-delivery-at = Wann
admin-module-delivery-event = Ereignis
admin-module-delivery-attempt = Versuch
admin-module-delivery-result = Ergebnis
admin-module-delivery-ok = zugestellt ({ $status })
admin-module-delivery-skipped-module-inactive = nicht gesendet: das Modul ist nicht aktiv
admin-module-delivery-skipped-not-subscribed = nicht gesendet: das Modul hat dieses Ereignis nicht abonniert
admin-module-delivery-skipped-withdrawn-before-delivery = nicht gesendet: vor der Zustellung zurückgezogen
