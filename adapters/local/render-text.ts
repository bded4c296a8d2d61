import type { Block, Button, Form, Message, Translate } from "../../src/core/index.js";
import { displayWidth, padEndToWidth } from "./display-width.js";

export interface TextRendering {
  text: string;
  /** Buttons in the order they are numbered in the text: [1], [2], ... */
  buttons: Button[];
}

const RULE = "─".repeat(48);

/**
 * A neutral message as terminal text: the same content a rep sees in Slack, with buttons
 * numbered so they can be pressed by typing the number. Control characters in stored text
 * are dropped so customer data cannot move the cursor or recolour the terminal.
 */
export function renderText(message: Message): TextRendering {
  const buttons: Button[] = [];
  const press = (b: Button): string => {
    // A menu is one numbered button per choice here.
    if (b.choices) return b.choices.map((c) => press({ label: `${b.label} ${c.label}`, action: { id: b.action.id, value: c.value } })).join("  ");
    buttons.push(b);
    return `[${buttons.length}] ${clean(b.label)}`;
  };
  const lines: string[] = [];
  const render = (block: Block) => {
    switch (block.type) {
      case "header":
        lines.push(clean(block.text).toUpperCase(), RULE);
        break;
      case "text":
        if (block.title) lines.push(clean(block.title));
        lines.push(clean(block.text));
        break;
      case "fields": {
        // Columns line up on screen, not in string length: a Chinese label is twice as wide.
        const width = Math.max(...block.fields.map((f) => displayWidth(clean(f.label))));
        for (const f of block.fields) lines.push(`${padEndToWidth(clean(f.label), width)}  ${clean(f.value)}`);
        break;
      }
      case "list":
        if (block.title) lines.push("", clean(block.title));
        if (block.items.length === 0 && block.empty) lines.push(`  ${clean(block.empty)}`);
        for (const item of block.items) {
          lines.push(`  • ${clean(item.title)}${item.button ? `   ${press(item.button)}` : ""}`);
          if (item.detail) lines.push(...clean(item.detail).split("\n").map((l) => `    ${l}`));
          if (item.buttons?.length) lines.push(`    ${item.buttons.map(press).join("  ")}`);
        }
        break;
      case "context":
        lines.push(clean(block.text));
        break;
      case "examples":
        lines.push(`${clean(block.label)} ${block.examples.map(clean).join("   ")}`);
        break;
      case "link":
        lines.push(`${clean(block.label)}: ${clean(block.url)}`);
        break;
      case "divider":
        lines.push(RULE);
        break;
      case "buttons":
        if (block.buttons.length > 0) lines.push("", block.buttons.map(press).join("  "));
        break;
      case "mention":
        lines.push(`${block.people.map((p) => `@${clean(p.name)}`).join(" ")} ${clean(block.text)}`.trim());
        break;
      case "chart":
        // A terminal shows no image: the chart's title, and its figures as one line of text.
        lines.push("", clean(block.chart.title), `  ${clean(block.alt)}`);
        break;
      case "file":
        // The terminal saves the file itself (terminal.ts) and says where, under this line.
        lines.push(clean(block.summary));
        break;
    }
  };
  message.blocks.forEach(render);
  return { text: lines.join("\n"), buttons };
}

/** The form's title and how to fill it in, then what submitting will do (a confirmation's text). */
export function formIntro(form: Form, t: Translate): string {
  const intro = t("terminal.formIntro", { title: clean(form.title) });
  return form.intro ? `${intro}\n${clean(form.intro)}` : intro;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function clean(text: string): string {
  return text.replace(CONTROL, "");
}
