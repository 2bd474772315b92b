// Outgoing e-mail, pluggable: a deployment passes its own mailer to the tRPC context. Without one,
// messages go to the log, so that invitation links can still be copied from there.
import { log } from "@attune/runtime/log";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

export const logMailer: Mailer = {
  async send(message) {
    log.info("mail.not-sent", { reason: "no mailer is configured", ...message });
  },
};
