// The playground's conversation: the turns so far and, while it is written, the reply to the last
// message.
import type { ChatMessage, Exchange } from "~/lib/chat.ts";
import styles from "./trial.module.css";

export function ChatLog({
  turns,
  current,
  busy,
}: {
  turns: readonly ChatMessage[];
  current: Exchange | undefined;
  busy: boolean;
}) {
  const shown: ChatMessage[] = current
    ? [
        ...turns,
        { role: "user", content: current.message },
        { role: "assistant", content: current.reply },
      ]
    : [...turns];
  if (shown.length === 0) return null;
  return (
    <ol className={styles.chatLog} aria-busy={busy} data-testid="chat-log">
      {shown.map((message, position) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: turns only ever append.
        <li key={position} className={styles.chatTurn} data-role={message.role}>
          <span className="muted">{message.role}</span>
          <pre className="output">{message.content}</pre>
        </li>
      ))}
    </ol>
  );
}
