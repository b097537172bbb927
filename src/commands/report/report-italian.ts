import type { SkipReason } from '../../core/audience.js';
import type { CampaignStatus } from '../../core/campaign.js';

/**
 * The Italian words of the HTML report, which a communication office forwards to the mayor's: statuses, skip
 * reasons, and for every failure code canale produces what happened and what to do. The codes stay in the page
 * (the office quotes them to whoever runs canale), the English reasons of the providers do not.
 */

export const STATUS_IT: Readonly<Record<CampaignStatus, string>> = {
  draft: 'in preparazione',
  scheduled: 'in attesa di ripartire',
  sending: 'invio in corso',
  interrupted: 'interrotto',
  completed: 'concluso',
  cancelled: 'annullato',
};

export const SKIP_IT: Readonly<Record<SkipReason, string>> = {
  'opted-out': 'si sono cancellati dal servizio',
  'opted-out-of-topic': 'hanno lasciato questo argomento',
  'opted-out-during-send': "si sono cancellati durante l'invio, prima che il messaggio partisse",
  'marketing-stopped': 'hanno chiesto a WhatsApp di non ricevere messaggi promozionali',
  'no-address': 'non hanno un recapito per il canale',
  unreachable: 'il loro canale risulta non raggiungibile',
  'channel-not-in-message': 'preferiscono un canale per cui il messaggio non era previsto',
};

export interface FailureText {
  /** What happened, in a sentence. */
  readonly what: string;
  /** What to do about it. */
  readonly todo: string;
}

const RETRY = 'riprovare più tardi con «canale send --resume {id} --retry-failed»';
const CHECK_CREDENTIALS = 'chi gestisce canale deve controllare le credenziali (canale doctor)';
const REPORT_BUG = 'segnalarlo a chi gestisce canale: probabilmente è un errore del programma';

export const FAILURE_IT: Readonly<Record<string, FailureText>> = {
  // WhatsApp: the recipient
  WHATSAPP_UNDELIVERABLE: { what: 'il numero non può ricevere il messaggio (non usa WhatsApp, ha un’app vecchia o ha bloccato il Comune)', todo: 'nessuna azione sul messaggio; se succede di nuovo conviene chiedere al cittadino un indirizzo e-mail' },
  WHATSAPP_INVALID_VALUE: { what: 'WhatsApp considera non valido il numero (o l’identificativo WhatsApp) del cittadino', todo: 'correggere il numero del cittadino nell’elenco degli iscritti, poi ' + RETRY },
  WHATSAPP_OUTSIDE_WINDOW: { what: 'un testo libero su WhatsApp arriva solo a chi ha scritto al Comune nelle ultime 24 ore', todo: 'inviare con un modello (template) approvato da WhatsApp' },
  WHATSAPP_TEXT_TOO_LONG: { what: 'il modello con i parametri inseriti supera la lunghezza ammessa', todo: 'accorciare i parametri del messaggio e inviarlo di nuovo a chi non l’ha ricevuto' },
  WHATSAPP_PARAM_TEXT: { what: 'un parametro del modello è vuoto o contiene un a capo, una tabulazione o più di quattro spazi di fila', todo: 'correggere il parametro e inviarlo di nuovo a chi non l’ha ricevuto' },
  WHATSAPP_RECIPIENT_IS_SENDER: { what: 'il destinatario è il numero stesso da cui il Comune invia', todo: 'togliere quel numero dall’elenco degli iscritti' },
  WHATSAPP_MARKETING_LIMIT: { what: 'WhatsApp non l’ha consegnato per non inviare troppi messaggi promozionali alla stessa persona', todo: 'non reinviare prima di 24 ore; poi ' + RETRY },
  WHATSAPP_MARKETING_STOPPED: { what: 'il cittadino ha chiesto a WhatsApp di non ricevere più messaggi promozionali dal Comune', todo: 'nessuna: è una scelta del cittadino da rispettare' },
  WHATSAPP_EXPERIMENT: { what: 'il numero fa parte di una sperimentazione di Meta e non riceve messaggi promozionali', todo: 'nessuna azione possibile da parte del Comune' },
  WHATSAPP_COUNTRY_RESTRICTED: { what: 'l’account del Comune non può scrivere a numeri di quel Paese', todo: 'chiedere al cittadino un indirizzo e-mail' },
  // WhatsApp: the service, temporary
  WHATSAPP_UNAVAILABLE: { what: 'il servizio WhatsApp era momentaneamente non disponibile', todo: RETRY },
  WHATSAPP_MAINTENANCE: { what: 'l’account WhatsApp del Comune era in manutenzione per circa un minuto', todo: RETRY },
  WHATSAPP_API_UNKNOWN: { what: 'WhatsApp ha segnalato un errore sconosciuto', todo: RETRY },
  WHATSAPP_SOMETHING_WENT_WRONG: { what: 'WhatsApp non ha completato l’invio per un motivo non precisato', todo: RETRY },
  WHATSAPP_ERROR: { what: 'WhatsApp ha risposto con un errore che canale non conosce', todo: RETRY + '; se si ripete, ' + REPORT_BUG },
  WHATSAPP_TIMEOUT: { what: 'WhatsApp non ha risposto in tempo', todo: RETRY },
  WHATSAPP_UNREACHABLE: { what: 'non è stato possibile collegarsi a WhatsApp (rete o server irraggiungibile)', todo: 'controllare la connessione a Internet, poi ' + RETRY },
  WHATSAPP_BAD_REPLY: { what: 'WhatsApp ha dato una risposta incompleta o non leggibile', todo: RETRY },
  WHATSAPP_ABORTED: { what: 'l’invio è stato interrotto mentre il messaggio partiva', todo: 'riprendere l’invio con «canale send --resume {id}»' },
  // WhatsApp: throttling (it slows the send down, nobody is lost)
  WHATSAPP_THROUGHPUT: { what: 'WhatsApp ha chiesto di rallentare: il numero del Comune aveva raggiunto i messaggi al secondo consentiti', todo: 'nessuna: canale rallenta da solo e riprova gli stessi destinatari' },
  WHATSAPP_PAIR_RATE_LIMIT: { what: 'troppi messaggi alla stessa persona in poco tempo: WhatsApp ne accetta uno ogni 6 secondi', todo: 'nessuna: canale riprova quella persona più tardi; se non passa, ' + RETRY },
  WHATSAPP_API_RATE_LIMIT: { what: 'l’account del Comune ha raggiunto il limite di richieste a WhatsApp', todo: 'attendere qualche minuto, poi riprendere con «canale send --resume {id}»' },
  WHATSAPP_SPAM_RATE_LIMIT: { what: 'WhatsApp limita gli invii del numero del Comune per bassa qualità (messaggi precedenti bloccati o segnalati)', todo: 'controllare la valutazione di qualità del numero in WhatsApp Manager, poi riprendere con «canale send --resume {id}»' },
  // WhatsApp: the account or the message (they stop the whole send)
  WHATSAPP_TOKEN_INVALID: { what: 'la chiave di accesso a WhatsApp è scaduta o è stata revocata', todo: 'rinnovarla (canale config set whatsapp.token …), poi riprendere con «canale send --resume {id}»' },
  WHATSAPP_PERMISSION: { what: 'la chiave di accesso a WhatsApp non ha i permessi necessari', todo: CHECK_CREDENTIALS },
  WHATSAPP_ACCOUNT_BLOCKED: { what: 'l’account WhatsApp del Comune è bloccato', todo: 'verificare lo stato dell’account in WhatsApp Manager' },
  WHATSAPP_PAYMENT: { what: 'c’è un problema di pagamento o di idoneità dell’account WhatsApp', todo: 'controllare la fatturazione in WhatsApp Manager' },
  WHATSAPP_CERTIFICATE: { what: 'la registrazione del numero del Comune su WhatsApp è incompleta', todo: 'registrare di nuovo il numero in WhatsApp Manager' },
  WHATSAPP_NUMBER_NOT_REGISTERED: { what: 'il numero da cui il Comune invia non è registrato su WhatsApp', todo: CHECK_CREDENTIALS },
  WHATSAPP_INVALID_PARAMETER: { what: 'un valore del messaggio (un parametro, il collegamento di un’immagine) non è valido per WhatsApp', todo: 'correggere il file del messaggio, poi riprendere con «canale send --resume {id}»' },
  WHATSAPP_BAD_REQUEST: { what: 'WhatsApp ha rifiutato la richiesta come non valida', todo: REPORT_BUG },
  WHATSAPP_MEDIA: { what: 'WhatsApp non è riuscito a scaricare l’allegato del messaggio', todo: 'controllare il collegamento o il file allegato' },
  WHATSAPP_TEMPLATE_PARAMS: { what: 'il numero di parametri non corrisponde al modello WhatsApp', todo: 'confrontare il messaggio con «canale templates list»' },
  WHATSAPP_TEMPLATE_NOT_FOUND: { what: 'non esiste un modello approvato con quel nome in quella lingua', todo: 'aggiornare i modelli con «canale templates sync» e controllare il nome' },
  WHATSAPP_FORMAT_POLICY: { what: 'il testo non rispetta le regole di formattazione di WhatsApp', todo: 'modificare il testo del messaggio' },
  WHATSAPP_PARAM_FORMAT: { what: 'i parametri non sono nel formato del modello (con nome o in ordine)', todo: 'confrontare il messaggio con «canale templates list»' },
  WHATSAPP_TEMPLATE_PAUSED: { what: 'il modello è sospeso da WhatsApp per bassa qualità', todo: 'attendere che torni attivo o usare un altro modello' },
  WHATSAPP_TEMPLATE_DISABLED: { what: 'il modello è stato disattivato da WhatsApp per bassa qualità', todo: 'creare un nuovo modello e farlo approvare' },
  // E-mail
  SMTP_MAILBOX_REJECTED: { what: 'la casella di posta ha rifiutato il messaggio (indirizzo inesistente o casella piena)', todo: 'verificare l’indirizzo e-mail del cittadino' },
  SMTP_TEMPORARY: { what: 'il server di posta ha rimandato il messaggio', todo: RETRY },
  SMTP_THROTTLED: { what: 'il server di posta ha chiesto di rallentare', todo: 'nessuna: canale rallenta da solo e riprova gli stessi destinatari' },
  SMTP_TIMEOUT: { what: 'il server di posta non ha risposto in tempo', todo: RETRY },
  SMTP_UNREACHABLE: { what: 'non è stato possibile collegarsi al server di posta', todo: 'controllare la connessione e l’indirizzo del server, poi ' + RETRY },
  SMTP_ERROR: { what: 'l’invio dell’e-mail non è riuscito', todo: RETRY },
  SMTP_ABORTED: { what: 'l’invio è stato interrotto mentre l’e-mail partiva', todo: 'riprendere l’invio con «canale send --resume {id}»' },
  SMTP_AUTH_FAILED: { what: 'il server di posta ha rifiutato nome utente o password', todo: CHECK_CREDENTIALS },
  SMTP_TLS: { what: 'la connessione sicura con il server di posta non è riuscita', todo: CHECK_CREDENTIALS },
  SMTP_SENDER_UNAUTHENTICATED: { what: 'il server di posta del destinatario ha rifiutato l’e-mail perché il mittente non è autenticato (SPF, DKIM o DMARC del dominio)', todo: 'chi gestisce canale deve configurare la firma DKIM (email.dkim.*) e i record SPF e DMARC del dominio, poi riprendere con «canale send --resume {id}»' },
  SMTP_GREYLISTED: { what: 'il server di posta del destinatario ha chiesto di riprovare più tardi (greylisting)', todo: 'nessuna: canale riprova quella persona dopo qualche minuto; se non passa, ' + RETRY },
  SMTP_SENDER_REJECTED: { what: 'il server di posta ha rifiutato il mittente', todo: 'controllare l’indirizzo mittente (CANALE_EMAIL_FROM)' },
  // Outbox and canale itself
  OUTBOX_ABORTED: { what: 'l’invio è stato interrotto prima di scrivere il messaggio', todo: 'riprendere l’invio con «canale send --resume {id}»' },
  OUTBOX_WRITE_FAILED: { what: 'non è stato possibile scrivere il messaggio nella cartella di prova (outbox)', todo: 'controllare lo spazio su disco e i permessi della cartella' },
  WRONG_CHANNEL: { what: 'il messaggio è stato affidato a un servizio che non gestisce quel canale', todo: REPORT_BUG },
  UNKNOWN: { what: 'il motivo non è stato registrato', todo: RETRY },
  // what stopped a send, besides a failure code
  CONSECUTIVE_FAILURES: { what: 'troppi destinatari di fila non sono stati raggiunti e l’invio si è fermato per sicurezza', todo: 'controllare il servizio di invio (canale doctor), poi riprendere con «canale send --resume {id}»' },
  SIGNAL: { what: 'l’invio è stato fermato a mano (Ctrl-C) o dal sistema', todo: 'riprenderlo con «canale send --resume {id}», oppure annullarlo con «canale campaigns cancel {id}»' },
};

/** The Italian text of a code, with the campaign id in its commands; a code canale does not know is said to be unknown. */
export function failureInItalian(code: string, campaign: string): FailureText {
  const text = FAILURE_IT[code] ?? { what: 'errore non previsto', todo: REPORT_BUG };
  return { what: text.what, todo: text.todo.replaceAll('{id}', campaign) };
}
