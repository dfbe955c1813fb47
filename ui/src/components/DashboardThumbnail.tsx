import { useEffect, useState } from 'react';
import { AppstoreOutlined } from '@ant-design/icons';
import { api } from '../api';

/**
 * A dashboard's thumbnail, rendered by the server for this user. While the server renders the
 * first one (202) it asks again a few times; until then, and if it never comes, an icon.
 */
export default function DashboardThumbnail({ id, updatedAt }: { id: number; updatedAt?: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    let url: string | null = null;
    let timer: number | undefined;
    const attempt = (n: number) => {
      api.thumbnail(id).then((u) => {
        if (cancelled) {
          if (u) URL.revokeObjectURL(u);
          return;
        }
        if (u) {
          url = u;
          setSrc(u);
        } else if (n < 20) {
          timer = window.setTimeout(() => attempt(n + 1), 3000);
        }
      }, () => undefined);
    };
    attempt(0);
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
      if (url) URL.revokeObjectURL(url);
    };
  }, [id, updatedAt]);
  return (
    <div className="dashboard-thumb" data-testid="dashboard-thumbnail" style={{ height: 160, display: 'grid', placeItems: 'center', background: '#f5f7fb', overflow: 'hidden' }}>
      {src ? <img src={src} alt="" style={{ width: '100%', height: '100%', objectFit: 'cover', objectPosition: 'top' }} />
        : <AppstoreOutlined style={{ fontSize: 40, color: '#c7d2fe' }} />}
    </div>
  );
}
