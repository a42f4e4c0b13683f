/** A Thing at a Location with one Datastream of measurements, created over HTTP; its ids. */
export async function measurementThing(base: string, headers: Record<string, string>, name: string): Promise<{ thing: number; ds: number }> {
  const r = await fetch(`${base}/Things`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      name, description: 'd', Locations: [{ name: 'l', description: 'l', encodingType: 'application/geo+json', location: { type: 'Point', coordinates: [105.7, 10] } }],
      Datastreams: [{ name: 'x', description: 'd', observationType: 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement', unitOfMeasurement: {},
        Sensor: { name: 's', description: 's', encodingType: 'text/plain', metadata: 'm' }, ObservedProperty: { name: `o-${name}`, definition: 'o', description: 'o' } }],
    }),
  });
  if (r.status !== 201) throw new Error(`POST Things answered ${r.status}: ${(await r.text()).slice(0, 200)}`);
  const thing = ((await r.json()) as { '@iot.id': number })['@iot.id'];
  const ds = ((await (await fetch(`${base}/Things(${thing})/Datastreams?$select=id`)).json()) as { value: { '@iot.id': number }[] }).value[0]!['@iot.id'];
  return { thing, ds };
}
