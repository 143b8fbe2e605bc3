## Fehler bei Anträgen (Issue 16): problem-<code> und die Meldungen zu Feldern (v-application-...).

problem-application-not-offered = Diese Leistung kann nicht online beantragt werden.
problem-application-transition = Ein Vorgang kann nicht von „{ $from }“ nach „{ $to }“ gehen. { $allowed ->
        [none] Von „{ $from }“ aus geht kein Schritt mehr.
       *[other] Von „{ $from }“ aus geht es nach: { $allowed }.
    }
problem-application-state = { $status ->
        [changed] Was Sie geprüft haben, ist nicht mehr das, was das Amt erhält: Das Modul des Dienstes hat sich geändert oder ist pausiert. Bitte füllen Sie das Formular erneut aus.
        [draft] Das ist nicht möglich, solange der Antrag „{ application-status-draft }“ ist.
        [submitted] Das ist nicht möglich, solange der Antrag „{ application-status-submitted }“ ist.
        [received] Das ist nicht möglich, solange der Antrag „{ application-status-received }“ ist.
        [in_progress] Das ist nicht möglich, solange der Antrag „{ application-status-in-progress }“ ist.
        [needs_information] Das ist nicht möglich, solange der Antrag „{ application-status-needs-information }“ ist.
        [approved] Das ist nicht möglich, solange der Antrag „{ application-status-approved }“ ist.
        [refused] Das ist nicht möglich, solange der Antrag „{ application-status-refused }“ ist.
        [closed] Das ist nicht möglich, solange der Antrag „{ application-status-closed }“ ist.
        [withdrawn] Das ist nicht möglich, solange der Antrag „{ application-status-withdrawn }“ ist.
       *[other] Das ist nicht möglich, solange der Antrag „{ $status }“ ist.
    }
problem-application-too-large = Was Sie gesendet haben, ist größer, als dieses Formular erlaubt.
problem-application-malformed = Was Sie gesendet haben, ließ sich nicht als dieses Formular lesen.
v-application-status = Diesen Stand darf ein Modul nicht setzen.
v-application-text = Schreiben Sie 1 bis { $max } Zeichen ohne Steuerzeichen.
v-application-document = Das Dokument muss eine PDF-, JPEG- oder PNG-Datei von höchstens 10 MB sein, die ist, was sie vorgibt.
v-application-share = Sie können aus Ihrem Profil nur senden, was diese Leistung erfragt.
