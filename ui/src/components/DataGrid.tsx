import { AgGridReact } from 'ag-grid-react';
import type { ColDef } from 'ag-grid-community';
import 'ag-grid-community/styles/ag-grid.css';
import 'ag-grid-community/styles/ag-theme-quartz.css';

/** AG Grid (Community) with Strata's defaults: sortable, resizable, compact. */
export default function DataGrid<T>({ rows, columns, height }: { rows: T[]; columns: ColDef<T>[]; height?: number | string }) {
  return (
    <div className="ag-theme-quartz data-grid" style={{ height: height ?? '100%', width: '100%' }}>
      <AgGridReact<T>
        rowData={rows}
        columnDefs={columns}
        defaultColDef={{ sortable: true, resizable: true, filter: false, minWidth: 100, flex: 1 }}
        rowHeight={32}
        headerHeight={36}
        suppressCellFocus
        suppressFieldDotNotation
        animateRows={false}
      />
    </div>
  );
}
