// A small TypeScript module: classes, generics, overloads, arrow functions and destructuring.
export interface Point {
  x: number;
  y: number;
}

export abstract class Shape {
  constructor(protected readonly origin: Point) {}
  abstract area(): number;
  describe(): string {
    return `${this.constructor.name} at (${this.origin.x}, ${this.origin.y}) with area ${this.area().toFixed(2)}`;
  }
}

export class Circle extends Shape {
  constructor(origin: Point, private radius: number) {
    super(origin);
  }
  area(): number {
    return Math.PI * this.radius ** 2;
  }
  get diameter() {
    return this.radius * 2;
  }
}

export function largest<T extends Shape>(shapes: T[]): T | undefined {
  let best: T | undefined;
  for (const s of shapes) {
    if (!best || s.area() > best.area()) best = s;
  }
  return best;
}

export const translate = ({ x, y }: Point, dx = 0, dy = 0): Point => ({ x: x + dx, y: y + dy });

const registry = new Map<string, (p: Point) => Shape>();
registry.set("unit-circle", (p) => new Circle(p, 1));
