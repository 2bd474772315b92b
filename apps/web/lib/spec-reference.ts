// The spec reference's markdown as HTML for the reference page: headings get GitHub's ids (so that
// links such as /reference#trainer-settings land where they would on GitHub), and links to files
// of the repository, which the app does not serve, become their plain text.
import { Marked } from "marked";
import { gfmHeadingId } from "marked-gfm-heading-id";

const reference = new Marked(gfmHeadingId(), {
  renderer: {
    link({ href, tokens }) {
      const text = this.parser.parseInline(tokens);
      return /^(https?:|#)/.test(href) ? false : text;
    },
  },
});

export async function renderReference(markdown: string): Promise<string> {
  return reference.parse(markdown);
}
