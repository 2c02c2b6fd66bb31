import { cutOptional, cutText, oneLine, sanitizeText } from './sanitize.js';

const EMOJI = '😀'; // two UTF-16 units
const storable = (text: string) => text.isWellFormed() && !text.includes('\u0000');

describe('sanitize', () => {
  it('replaces NUL and unpaired surrogates, and leaves good text (emoji included) as it is', () => {
    expect(sanitizeText('a\u0000b')).toBe('a\uFFFDb');
    expect(sanitizeText(`x${EMOJI.charAt(0)}y${EMOJI.charAt(1)}`)).toBe('x\uFFFDy\uFFFD');
    expect(sanitizeText(`ok ${EMOJI} ünï`)).toBe(`ok ${EMOJI} ünï`);
  });

  it('cuts on code points: an emoji across the limit is dropped whole, never halved', () => {
    for (let max = 2; max <= 12; max++) {
      const text = `${'a'.repeat(max - 2)}${EMOJI}${EMOJI}tail`;
      const cut = cutText(text, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(storable(cut)).toBe(true);
      expect(cut.endsWith('…')).toBe(true);
    }
    expect(cutText(`abc${EMOJI}`, 5)).toBe(`abc${EMOJI}`);
    expect(cutText(`abcd${EMOJI}e`, 6)).toBe('abcd…');
  });

  it('folds whitespace to one line, sanitizes and cuts', () => {
    const text = `HTTP 500\r\n\u0000${'x'.repeat(197)}${EMOJI}more`;
    const line = oneLine(text, 200);
    expect(line.length).toBeLessThanOrEqual(200);
    expect(storable(line)).toBe(true);
    expect(line).not.toMatch(/[\r\n]/);
  });

  it('passes null through', () => {
    expect(cutOptional(null, 10)).toBeNull();
    expect(cutOptional(undefined, 10)).toBeNull();
    expect(cutOptional('\u0000', 10)).toBe('\uFFFD');
  });
});
