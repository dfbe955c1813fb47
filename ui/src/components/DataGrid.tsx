import { AgGridReact } from 'ag-grid-react';
import type { CellClickedEvent, CellContextMenuEvent, ColDef } from 'ag-grid-community';
import 'ag-grid-community/styles/ag-grid.css';
import 'ag-grid-community/styles/ag-theme-quartz.css';

interface Props<T> {
  rows: T[];
  columns: ColDef<T>[];
  height?: number | string;
  onCellClicked?: (e: CellClickedEvent<T>) => void;
  onCellContextMenu?: (e: CellContextMenuEvent<T>) => void;
}

/**
 * AG Grid (Community) with Strata's defaults: sortable, resizable, compact. Columns fill the
 * width but never shrink below their own minWidth (the table views set it to fit their numbers,
 * so a number is never cut with an ellipsis; the grid scrolls sideways instead).
 */
export default function DataGrid<T>({ rows, columns, height, onCellClicked, onCellContextMenu }: Props<T>) {
  return (
    <div className="ag-theme-quartz data-grid" style={{ height: height ?? '100%', width: '100%' }}
      onContextMenu={onCellContextMenu ? (e) => e.preventDefault() : undefined}>
      <AgGridReact<T>
        rowData={rows}
        columnDefs={columns}
        defaultColDef={{ sortable: true, resizable: true, filter: false, minWidth: 100, flex: 1 }}
        rowHeight={32}
        headerHeight={36}
        suppressCellFocus
        suppressFieldDotNotation
        animateRows={false}
        onCellClicked={onCellClicked}
        onCellContextMenu={onCellContextMenu}
        preventDefaultOnContextMenu={!!onCellContextMenu}
        rowClass={onCellClicked ? 'selectable-row' : undefined}
      />
    </div>
  );
}
